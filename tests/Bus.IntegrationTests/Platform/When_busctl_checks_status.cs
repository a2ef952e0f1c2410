using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform;

public class When_busctl_checks_status
{
    [Fact]
    public async Task Should_report_every_component_up()
    {
        var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["status", "--json"]);

        Assert.Equal(0, busctl.ExitCode);
        var doc = JsonDocument.Parse(busctl.Stdout).RootElement;
        Assert.True(doc.GetProperty("healthy").GetBoolean());
        var components = doc.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("component").GetString()!, c => c.GetProperty("up").GetBoolean());
        // One check per bucket: receiving, staging and each preservation bucket of the storage options.
        Assert.Equal(["postgres", "rabbitmq", "s3:preservation:bus-preservation-oh", "s3:preservation:bus-preservation-or", "s3:preservation:bus-preservation-va",
                      "s3:preservation:bus-wasabi-or", "s3:preservation:bus-wasabi-tx", "s3:preservation:bus-wasabi-va", "s3:receiving", "s3:staging"],
            components.Keys.Order(StringComparer.Ordinal));
        Assert.All(components.Values, Assert.True);
    }

    [Theory]
    [InlineData("Bus__RabbitMq__Port", "{port}", "rabbitmq")]
    [InlineData("Bus__Postgres__ConnectionString", "Host=127.0.0.1;Port={port};Database=bus;Username=bus;Password=bus", "postgres")]
    [InlineData("Bus__Storage__ServiceUrl", "http://127.0.0.1:{port}", "s3:receiving")]
    public async Task Should_report_a_stopped_component_down_with_exit_2(string key, string value, string component)
    {
        // Nothing listens on a fresh free port: exactly what a stopped server looks like to a client.
        var port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var busctl = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["status", "--json"],
            new Dictionary<string, string> { [key] = value.Replace("{port}", port, StringComparison.Ordinal) });

        Assert.Equal(2, busctl.ExitCode);
        var doc = JsonDocument.Parse(busctl.Stdout).RootElement;
        Assert.False(doc.GetProperty("healthy").GetBoolean());
        var down = doc.GetProperty("components").EnumerateArray().Where(c => !c.GetProperty("up").GetBoolean()).ToList();
        var entry = Assert.Single(down, c => c.GetProperty("component").GetString() == component);
        Assert.False(string.IsNullOrWhiteSpace(entry.GetProperty("detail").GetString()));
        Assert.Contains(port, entry.GetProperty("endpoint").GetString(), StringComparison.Ordinal);
    }
}
