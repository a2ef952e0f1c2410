using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform;

public class When_the_host_is_misconfigured
{
    [Fact]
    public async Task Should_exit_2_naming_the_bad_key()
    {
        var host = await ExternalProcess.RunAsync(RepoPaths.BusHost, [],
            new Dictionary<string, string> { ["Bus__RabbitMq__Port"] = "0" });

        Assert.Equal(2, host.ExitCode);
        Assert.Contains("Bus:RabbitMq:Port must be a TCP port 1-65535 (got 0)", host.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_remote_endpoint_in_the_test_environment()
    {
        var host = await ExternalProcess.RunAsync(RepoPaths.BusHost, [],
            new Dictionary<string, string> { ["Bus__Storage__ServiceUrl"] = "https://s3.example.org" });

        Assert.Equal(2, host.ExitCode);
        Assert.Contains("Bus:Storage points at 's3.example.org', but the Test environment only allows loopback endpoints", host.Stderr, StringComparison.Ordinal);
    }
}
