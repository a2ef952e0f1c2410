using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform;

public class When_the_host_receives_sigterm
{
    [Fact]
    public async Task Should_stop_cleanly_within_its_shutdown_timeout()
    {
        await using var host = RunningHost.Start("--Bus:Host:ShutdownTimeoutSeconds=10");
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        host.Process.Terminate();

        // The shutdown timeout plus process teardown; a host that ignored SIGTERM would hang here.
        await host.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, host.Process.ExitCode);
        Assert.Contains("Bus stopped", host.Process.Stdout, StringComparison.Ordinal);
    }
}
