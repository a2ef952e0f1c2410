using Bus.Platform.Options;
using Bus.Platform.Telemetry;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bus.Host.Telemetry;

public static class TelemetryServices
{
    /// <summary>MassTransit's own ActivitySource and Meter.</summary>
    public const string MassTransitSource = "MassTransit";

    /// <summary>
    /// Metrics (MassTransit's meter, Bus's, the runtime's and ASP.NET Core's, served for Prometheus) and
    /// traces. Trace context is always created for MassTransit and Bus's steps, so it travels in message
    /// headers through every host (exporting or not) and log lines carry TraceId/SpanId; PostgreSQL, HTTP
    /// client (S3) and API spans are only made when <c>Bus:Telemetry:OtlpEndpoint</c> exports them.
    /// </summary>
    public static IServiceCollection AddBusTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<TelemetryOptions>(configuration);
        var o = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = OtlpUri(o);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(o.ServiceName, serviceInstanceId: $"{Environment.MachineName}/{Environment.ProcessId}"));
        if (o.Metrics)
        {
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(BusMetrics.MeterName, MassTransitSource)
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
            services.AddSingleton<BrokerQueues>();
            services.AddHostedService<TelemetryGauges>();
        }
        telemetry.WithTracing(tracing =>
        {
            tracing.AddSource(MassTransitSource, BusMetrics.ActivitySourceName)
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(Math.Clamp(o.TraceSampleRatio, 0, 1))));
            if (otlp is null) return;
            tracing.AddAspNetCoreInstrumentation(a => a.Filter = http => !IsHousekeeping(http.Request.Path, o))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(e =>
                {
                    e.Endpoint = otlp;
                    e.Protocol = o.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                });
        });
        return services;
    }

    /// <summary>Serves the Prometheus text at Bus:Telemetry:MetricsPath on the host's listener.</summary>
    public static WebApplication MapBusTelemetry(this WebApplication app)
    {
        var o = app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (o.Metrics) app.MapPrometheusScrapingEndpoint(o.MetricsPath);
        return app;
    }

    /// <summary>
    /// The exporter's URL. Set in code, an http/protobuf endpoint is used as given, so the signal's path is
    /// added here when the option names only the collector (as OTEL_EXPORTER_OTLP_ENDPOINT would).
    /// </summary>
    internal static Uri? OtlpUri(TelemetryOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.OtlpEndpoint) || !Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out var uri)) return null;
        if (o.OtlpProtocol != "http/protobuf" || uri.AbsolutePath.TrimEnd('/').Length > 0) return uri;
        return new Uri(uri, "/v1/traces");
    }

    /// <summary>Probes and scrapes are not traced: they would be most of the spans and tell nothing.</summary>
    private static bool IsHousekeeping(PathString path, TelemetryOptions o) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(o.MetricsPath);
}
