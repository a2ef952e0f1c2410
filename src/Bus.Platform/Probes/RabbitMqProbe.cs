using Bus.Platform.Messaging;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Probes;

public sealed class RabbitMqProbe(IOptions<RabbitMqOptions> options) : IComponentProbe
{
    public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var endpoint = o.AmqpUri.ToString();
        var factory = RabbitMqTls.ConnectionFactory(o, "bus-probe");
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        factory.AutomaticRecoveryEnabled = false;
        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var version = connection.ServerProperties is { } p && p.TryGetValue("version", out var v) && v is byte[] b
                ? System.Text.Encoding.UTF8.GetString(b) : "unknown";
            return [new ProbeResult("rabbitmq", endpoint, true, $"RabbitMQ {version}")];
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return [new ProbeResult("rabbitmq", endpoint, false, ProbeErrors.Describe(e))];
        }
    }
}
