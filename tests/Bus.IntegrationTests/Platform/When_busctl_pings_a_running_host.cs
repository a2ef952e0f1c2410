using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform;

public class When_busctl_pings_a_running_host
{
    [Fact]
    public async Task Should_get_the_hosts_answer_and_the_host_should_log_it_with_the_message_ids()
    {
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        await using var host = RunningHost.Start(vhost.Environment, "--roles", "diagnostics");
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ping", "--json"], vhost.Environment);

        Assert.True(busctl.ExitCode == 0, busctl.Stderr);
        var pong = JsonDocument.Parse(busctl.Stdout).RootElement;
        Assert.True(pong.GetProperty("answered").GetBoolean());
        Assert.Equal(host.Process.Id, pong.GetProperty("processId").GetInt32());

        var pingId = pong.GetProperty("pingId").GetString();
        var logLine = host.Process.Stdout.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("Message").GetString() == $"Ping {pingId} answered");
        var scope = Assert.Single(logLine.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("MessageId", out _));
        Assert.False(string.IsNullOrEmpty(scope.GetProperty("CorrelationId").GetString()));
        Assert.Equal("Ping", scope.GetProperty("MessageType").GetString());
    }

    [Fact]
    public async Task Should_exit_1_when_no_host_answers()
    {
        await using var vhost = await TemporaryVirtualHost.CreateAsync();

        var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["ping", "--json", "--timeout", "2"], vhost.Environment);

        Assert.Equal(1, busctl.ExitCode);
        Assert.False(JsonDocument.Parse(busctl.Stdout).RootElement.GetProperty("answered").GetBoolean());
    }
}
