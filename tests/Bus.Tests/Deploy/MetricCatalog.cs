using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Bus.Host.Telemetry;
using Bus.Platform.Telemetry;
using MassTransit;
using MassTransit.Monitoring;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Deploy;

/// <summary>
/// The Prometheus series a host can export from Bus's meter and MassTransit's, read from the instruments the
/// code creates (a MeterListener sees each one published) and named the way the OpenTelemetry Prometheus exporter
/// names them: dots to underscores, the unit as a suffix (s → seconds, By → bytes, ms → milliseconds, {x} →
/// nothing), counters ending in _total, histograms as _bucket, _sum and _count. Checked against a real scrape
/// (docs/operations.md, "Watching Bus").
/// </summary>
public static partial class MetricCatalog
{
    private static readonly Lazy<(IReadOnlySet<string> Series, IReadOnlySet<string> Labels)> Catalog = new(Read);

    public static IReadOnlySet<string> Series => Catalog.Value.Series;
    public static IReadOnlySet<string> Labels => Catalog.Value.Labels;

    private static (IReadOnlySet<string>, IReadOnlySet<string>) Read()
    {
        var series = new HashSet<string>(StringComparer.Ordinal);
        string[] labelKeys;
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name is not (BusMetrics.MeterName or TelemetryServices.MassTransitSource)) return;
                lock (series) foreach (var name in PrometheusNames(instrument)) series.Add(name);
            };
            // Published now: the instruments that exist already; then each as it is created.
            listener.Start();
            RuntimeHelpers.RunClassConstructor(typeof(BusMetrics).TypeHandle);
            RuntimeHelpers.RunClassConstructor(typeof(TelemetryGauges).TypeHandle);
            // MassTransit creates its instruments when a bus first measures something: consume one message.
            labelKeys = ConsumeOneMessage().GetAwaiter().GetResult();
        }

        var labels = new HashSet<string>(StringComparer.Ordinal)
        {
            BusMetrics.WorkflowLabel, BusMetrics.StepLabel, BusMetrics.ResultLabel, BusMetrics.OutcomeLabel,
            BusMetrics.SagaTypeLabel, BusMetrics.SagaStateLabel, BusMetrics.QueueLabel,
        };
        labels.UnionWith(labelKeys);
        return (series, labels.Select(Sanitize).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Runs a bus with MassTransit's defaults until it consumed a message; returns the label keys of its instrumentation options.</summary>
    private static async Task<string[]> ConsumeOneMessage()
    {
        var services = new ServiceCollection();
        services.AddMassTransitTestHarness(x => x.AddConsumer<NoteConsumer>());
        await using var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        // The default 1.2 s of inactivity ends the wait for the one message on a busy machine (the fast tier runs in parallel).
        harness.TestInactivityTimeout = TimeSpan.FromSeconds(60);
        await harness.Start();
        try
        {
            await harness.Bus.Publish(new Note());
            Assert.True(await harness.Consumed.Any<Note>(), "the catalog's bus consumed nothing");
        }
        finally
        {
            await harness.Stop();
        }
        // MassTransit's label names are the *Label settings of its instrumentation options (defaults as configured).
        var options = provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
        return typeof(InstrumentationOptions).GetProperties()
            .Where(p => p.Name.EndsWith("Label", StringComparison.Ordinal) && p.PropertyType == typeof(string))
            .Select(p => p.GetValue(options) as string).OfType<string>().ToArray();
    }

    public sealed record Note;

    public sealed class NoteConsumer : IConsumer<Note>
    {
        public Task Consume(ConsumeContext<Note> context) => Task.CompletedTask;
    }

    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        var unit = UnitSuffix(instrument.Unit);
        if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal)) name += "_" + unit;
        var type = instrument.GetType().GetGenericTypeDefinition();
        if (type == typeof(Histogram<>)) return [name + "_bucket", name + "_sum", name + "_count"];
        // Up-down counters too: the exporter (1.20.1-beta.1) writes them as counters (checked on a scrape).
        if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>) || type == typeof(UpDownCounter<>) || type == typeof(ObservableUpDownCounter<>))
            return [name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total"];
        return [name];
    }

    private static string UnitSuffix(string? unit)
    {
        var u = Annotation().Replace(unit ?? "", "");
        return u switch
        {
            "" or "1" => "",
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            _ => Sanitize(u.Replace("/", "_per_", StringComparison.Ordinal)),
        };
    }

    public static string Sanitize(string name) => NotAllowed().Replace(name, "_");

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Annotation();

    [GeneratedRegex("[^a-zA-Z0-9_:]")]
    private static partial Regex NotAllowed();
}
