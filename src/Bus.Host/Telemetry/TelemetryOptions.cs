using Bus.Platform.Options;

namespace Bus.Host.Telemetry;

/// <summary>Metrics and traces (section <c>Bus:Telemetry</c>; docs/operations.md, "Watching Bus").</summary>
public sealed class TelemetryOptions : IBusOptions
{
    public const string Section = "Bus:Telemetry";
    public string SectionName => Section;

    public static readonly IReadOnlyList<string> Protocols = ["grpc", "http/protobuf"];

    /// <summary>Serve Prometheus metrics at <see cref="MetricsPath"/> on the host's listener (Bus:Host:HealthUrl).</summary>
    public bool Metrics { get; set; } = true;
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// An OpenTelemetry collector's OTLP endpoint (e.g. http://collector:4317 for grpc, http://collector:4318 for
    /// http/protobuf). When set, traces are exported there: MassTransit, Bus's steps, PostgreSQL commands,
    /// HTTP clients (S3) and the API. When empty, trace context is still created and propagated (log lines
    /// carry TraceId and SpanId) but nothing is exported.
    /// </summary>
    public string? OtlpEndpoint { get; set; }
    public string OtlpProtocol { get; set; } = "grpc";
    /// <summary>Share of new traces kept (0-1); a trace continues whatever its first span decided.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;
    /// <summary>service.name of this process's telemetry.</summary>
    public string ServiceName { get; set; } = "bus-host";

    /// <summary>
    /// Saga, outbox, scheduler and queue gauges: measured by one host per RabbitMQ virtual host (the one that
    /// holds a PostgreSQL advisory lock) every this many seconds, by one query and one management API call;
    /// scrapes read the last measurement.
    /// </summary>
    public bool Gauges { get; set; } = true;
    public int GaugeRefreshSeconds { get; set; } = 15;

    public IEnumerable<OptionError> Validate()
    {
        if (!MetricsPath.StartsWith('/') || MetricsPath.Length < 2 || MetricsPath.Contains('?') || MetricsPath.StartsWith("/health", StringComparison.Ordinal)
            || MetricsPath.StartsWith("/api", StringComparison.Ordinal))
            yield return new(nameof(MetricsPath), $"must be a path of its own such as /metrics, not under /health or /api (got '{MetricsPath}')");
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint)
            && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https")))
            yield return new(nameof(OtlpEndpoint), $"must be an absolute http(s) URL of an OTLP receiver, e.g. http://collector:4317 (got '{OtlpEndpoint}')");
        if (!Protocols.Contains(OtlpProtocol))
            yield return new(nameof(OtlpProtocol), $"must be one of {string.Join(", ", Protocols)} (got '{OtlpProtocol}')");
        if (double.IsNaN(TraceSampleRatio) || TraceSampleRatio is < 0 or > 1)
            yield return new(nameof(TraceSampleRatio), $"must be between 0 and 1 (got {TraceSampleRatio})");
        if (string.IsNullOrWhiteSpace(ServiceName)) yield return new(nameof(ServiceName), "must not be empty");
        if (GaugeRefreshSeconds is < 2 or > 3600) yield return new(nameof(GaugeRefreshSeconds), $"must be 2-3600 (got {GaugeRefreshSeconds})");
    }

    public IEnumerable<string> Endpoints() =>
        !string.IsNullOrWhiteSpace(OtlpEndpoint) && Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var u) ? [u.Host] : [];
}
