using Bus.Contracts.Diagnostics;
using Bus.Host;
using Bus.IntegrationTests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Platform;

public class When_a_message_is_published_on_rabbitmq
{
    [Fact]
    public async Task Should_be_consumed_by_the_host()
    {
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        await using var app = BusHost.Build(["--environment", "Test", "--roles", "diagnostics",
            "--Bus:Host:HealthUrl=http://127.0.0.1:0", $"--Bus:RabbitMq:VirtualHost={vhost.Name}"]);
        await app.StartAsync();
        try
        {
            var client = app.Services.GetRequiredService<IBus>().CreateRequestClient<Ping>(RequestTimeout.After(s: 30));
            var ping = new Ping(Guid.NewGuid(), DateTimeOffset.UtcNow);

            var pong = await client.GetResponse<Pong>(ping);

            Assert.Equal(ping.PingId, pong.Message.PingId);
            Assert.Contains("diagnostics", pong.Message.Roles);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
