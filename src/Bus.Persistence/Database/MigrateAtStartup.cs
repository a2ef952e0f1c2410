using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Persistence.Database;

/// <summary>
/// With <c>Bus:Postgres:MigrateAtStartup</c>, applies every module's pending migrations before the bus
/// starts (registered ahead of MassTransit's hosted service), as the owner role, then grants the runtime role its
/// data rights (<see cref="DatabaseMigrationRun"/>). Never drops anything.
/// </summary>
internal sealed class MigrateAtStartup(
    IOptions<PostgresOptions> postgres,
    IEnumerable<IDatabaseModule> modules,
    ILogger<MigrateAtStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!postgres.Value.MigrateAtStartup) return;
        var run = await DatabaseMigrationRun.RunAsync(modules, postgres.Value, cancellationToken);
        foreach (var (module, migrations) in run.Applied.Where(a => a.Migrations.Count > 0))
            logger.LogInformation("Migrated {Module}: {Migrations}", module, string.Join(", ", migrations));
        foreach (var warning in run.Warnings) logger.LogWarning("Database runtime role: {Warning}", warning);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
