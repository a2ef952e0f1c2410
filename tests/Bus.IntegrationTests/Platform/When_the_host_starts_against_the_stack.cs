using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform;

public class When_the_host_starts_against_the_stack
{
    [Fact]
    public async Task Should_turn_every_health_check_healthy()
    {
        await using var host = RunningHost.Start();

        var report = await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var checks = report.GetProperty("checks");
        foreach (var name in new[] { "masstransit-bus", "postgres", "s3" })
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
    }
}
