using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Persistence.Database;

/// <summary>
/// With <c>Bus:Postgres:MigrateAtStartup</c>, applies every module's pending migrations before the bus
/// starts (registered ahead of MassTransit's hosted service). Never drops anything.
/// </summary>
internal sealed class MigrateAtStartup(
    IOptions<PostgresOptions> postgres,
    IEnumerable<IDatabaseModule> modules,
    ILogger<MigrateAtStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!postgres.Value.MigrateAtStartup) return;
        foreach (var module in modules.OrderBy(m => m.Order))
        {
            var pending = await module.PendingMigrationsAsync(cancellationToken);
            if (pending.Count == 0) continue;
            logger.LogInformation("Migrating {Module}: {Migrations}", module.Name, string.Join(", ", pending));
            await module.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
