using Bus.Platform.Database;
using Bus.Fixity;
using Bus.Fixity.Data;
using Bus.Fixity.Sweep;
using Bus.IntegrationTests.Registry;
using Bus.Platform.Options;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.IntegrationTests.Fixity;

/// <summary>
/// Sweeps as the host runs them, on the shared registry but isolated from other tests' copies: the
/// test's copies are stored in 1800 and every sweep's cutoff is 1801, so nothing else is ever due.
/// Messages go to the stack's own vhost, where no host consumes them.
/// </summary>
[CollectionDefinition(nameof(SweepCollection), DisableParallelization = true)]
public sealed class SweepCollection;

internal static class SweepHarness
{
    public static readonly DateTimeOffset StoredAt = new(1800, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Cutoff = new(1801, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<IBusControl> StartBusAsync(FixityStack stack)
    {
        var o = new RabbitMqOptions { VirtualHost = stack.VirtualHost.Name };
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h => { h.Username(o.Username); h.Password(o.Password); }));
        await bus.StartAsync();
        return bus;
    }

    public static FixitySweeper Sweeper(FixityStack stack, RegistryDatabase registry, IBusControl bus, int batchSize = 3) =>
        new(new RegistryFixityStore(registry), stack.Ledger, bus,
            Options.Create(new FixityOptions { BatchSize = batchSize }), TimeProvider.System);

    public static TimeSpan OlderThan => DateTimeOffset.UtcNow - Cutoff;

    public static RegistryDatabase Registry() => new(BusDataSource.Create(RegistryTestDatabase.ConnectionString), ownsDataSource: true);
}
