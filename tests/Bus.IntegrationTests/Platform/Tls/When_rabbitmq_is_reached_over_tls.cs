using Bus.Contracts.Diagnostics;
using Bus.Host;
using Bus.Platform.Options;
using Bus.Platform.Probes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Platform.Tls;

/// <summary>
/// <c>Bus:RabbitMq:Tls</c> against a RabbitMQ node that listens only for TLS: the host's bus answers a ping over
/// amqps, the probe (busctl status, health) connects with the CA and is refused with another CA or without TLS.
/// </summary>
[Collection(TlsServersCollection.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class When_rabbitmq_is_reached_over_tls(TlsServers servers)
{
    private RabbitMqOptions Options(string caFile, bool tls = true) => new()
    {
        Host = "localhost", Port = servers.RabbitPort, VirtualHost = "bus", Username = "bus", Password = "bus",
        Tls = new RabbitMqTlsOptions { Enabled = tls, CaFile = tls ? caFile : null },
    };

    [Fact]
    public async Task The_hosts_bus_answers_over_amqps()
    {
        await using var app = BusHost.Build(["--environment", "Test", "--roles", "diagnostics", "--Bus:Host:HealthUrl=http://127.0.0.1:0",
            "--Bus:RabbitMq:Host=localhost", $"--Bus:RabbitMq:Port={servers.RabbitPort}", "--Bus:RabbitMq:VirtualHost=bus",
            "--Bus:RabbitMq:Tls:Enabled=true", $"--Bus:RabbitMq:Tls:CaFile={servers.CaFile}"]);
        await app.StartAsync();
        try
        {
            var client = app.Services.GetRequiredService<IBus>().CreateRequestClient<Ping>(RequestTimeout.After(s: 30));
            var ping = new Ping(Guid.NewGuid(), DateTimeOffset.UtcNow);
            Assert.Equal(ping.PingId, (await client.GetResponse<Pong>(ping)).Message.PingId);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task The_probe_connects_with_the_ca_and_is_refused_with_another_or_without_tls()
    {
        var up = Assert.Single(await Probe(Options(servers.CaFile)));
        Assert.True(up.Up, up.Detail);
        Assert.StartsWith("amqps://localhost:", up.Endpoint, StringComparison.Ordinal);
        Assert.False(Assert.Single(await Probe(Options(servers.OtherCaFile))).Up);
        Assert.False(Assert.Single(await Probe(Options(servers.CaFile, tls: false))).Up);
    }

    private static Task<IReadOnlyList<ProbeResult>> Probe(RabbitMqOptions options) =>
        new RabbitMqProbe(Microsoft.Extensions.Options.Options.Create(options)).ProbeAsync(CancellationToken.None);
}
