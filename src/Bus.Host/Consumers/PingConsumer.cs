using Bus.Contracts.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Host.Consumers;

public sealed class PingConsumer(IOptions<BusHostOptions> options, ILogger<PingConsumer> logger) : IConsumer<Ping>
{
    public async Task Consume(ConsumeContext<Ping> context)
    {
        logger.LogInformation("Ping {PingId} answered", context.Message.PingId);
        await context.RespondAsync(new Pong(context.Message.PingId, Environment.MachineName, Environment.ProcessId,
            Roles.RoleSelection.Select(options.Value.Roles).Select(r => r.Name).ToList(), DateTimeOffset.UtcNow));
    }
}
