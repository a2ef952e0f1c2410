using Bus.Host.Telemetry;
using Bus.Platform.Options;

namespace Bus.Tests.Telemetry;

public class When_telemetry_options_are_invalid
{
    private static List<string> Check(TelemetryOptions options, string environment = "Production") =>
        BusOptionsValidator<TelemetryOptions>.Check(options, environment).ToList();

    [Fact]
    public void Should_accept_the_defaults() => Assert.Empty(Check(new TelemetryOptions()));

    [Fact]
    public void Should_accept_a_collector_over_either_protocol()
    {
        Assert.Empty(Check(new TelemetryOptions { OtlpEndpoint = "http://collector:4317" }));
        Assert.Empty(Check(new TelemetryOptions { OtlpEndpoint = "https://collector:4318", OtlpProtocol = "http/protobuf" }));
    }

    [Fact]
    public void Should_name_each_bad_key() =>
        Assert.Equal(
        [
            "Bus:Telemetry:MetricsPath must be a path of its own such as /metrics, not under /health or /api (got '/health/metrics')",
            "Bus:Telemetry:OtlpEndpoint must be an absolute http(s) URL of an OTLP receiver, e.g. http://collector:4317 (got 'collector:4317')",
            "Bus:Telemetry:OtlpProtocol must be one of grpc, http/protobuf (got 'http/json')",
            "Bus:Telemetry:TraceSampleRatio must be between 0 and 1 (got 1.5)",
            "Bus:Telemetry:GaugeRefreshSeconds must be 2-3600 (got 0)",
        ],
        Check(new TelemetryOptions
        {
            MetricsPath = "/health/metrics", OtlpEndpoint = "collector:4317", OtlpProtocol = "http/json", TraceSampleRatio = 1.5, GaugeRefreshSeconds = 0,
        }));

    [Fact]
    public void Should_refuse_a_remote_collector_in_the_test_environment() =>
        Assert.Contains("points at 'collector.example.org'", Assert.Single(Check(new TelemetryOptions { OtlpEndpoint = "http://collector.example.org:4317" }, "Test")),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("grpc", "http://collector:4317", "http://collector:4317/")]
    [InlineData("http/protobuf", "http://collector:4318", "http://collector:4318/v1/traces")]
    [InlineData("http/protobuf", "http://collector:4318/custom/traces", "http://collector:4318/custom/traces")]
    public void Should_give_the_exporter_the_signal_path_only_when_http_needs_it(string protocol, string endpoint, string expected) =>
        Assert.Equal(expected, TelemetryServices.OtlpUri(new TelemetryOptions { OtlpEndpoint = endpoint, OtlpProtocol = protocol })!.ToString());

    [Fact]
    public void Should_export_nothing_without_an_endpoint() => Assert.Null(TelemetryServices.OtlpUri(new TelemetryOptions()));
}
