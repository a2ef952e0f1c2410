using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Workflows.Watchdog.Data;

/// <summary>
/// The saga watchdog's migrations (<c>bus.saga_watch</c>: re-sends and alerts per stalled saga;
/// <c>bus.step_heartbeats</c>: the last step message each workflow began), with a migrations history of its
/// own. Reads and writes go through <see cref="WatchLedger"/>' and <see cref="StepHeartbeat"/>'s SQL.
/// </summary>
public sealed class WatchdogDbContext(DbContextOptions<WatchdogDbContext> options) : DbContext(options)
{
    public const string ModuleName = "watchdog";

    public static WatchdogDbContext Create(string connectionString) =>
        new((DbContextOptions<WatchdogDbContext>)new DbContextOptionsBuilder<WatchdogDbContext>().UseBusPostgres(connectionString, ModuleName).Options);
}

/// <summary>After every saga module (restore is 70): the watchdog only reads their tables, at run time.</summary>
public sealed class WatchdogDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<WatchdogDbContext>(options)
{
    public override string Name => WatchdogDbContext.ModuleName;
    public override int Order => 80;

    protected override WatchdogDbContext CreateContext(string connectionString) => WatchdogDbContext.Create(connectionString);
}
