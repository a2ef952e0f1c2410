using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Restore.StateMachines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Restore.Data;

/// <summary>
/// The restore module's migrations (schema <c>bus</c>: the saga table, the plan <c>bus.restore_files</c> and the
/// write checkpoint <c>bus.restore_uploads</c>). Reads and writes go through plain SQL (<see cref="RestorePlans"/>).
/// </summary>
public sealed class RestoreDbContext(DbContextOptions<RestoreDbContext> options) : DbContext(options)
{
    public const string ModuleName = "restore";

    public static RestoreDbContext Create(string connectionString) =>
        new((DbContextOptions<RestoreDbContext>)new DbContextOptionsBuilder<RestoreDbContext>().UseBusPostgres(connectionString, ModuleName).Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(PostgresOptions.BusSchema);
        modelBuilder.ApplyConfiguration(new RestoreStateMap());
        modelBuilder.ApplyConfiguration(new SpotTests.SpotTestStateMap());
        modelBuilder.UseSnakeCaseNames();
    }
}

/// <summary>Lets <c>busctl db migrate</c> (and the host) apply restore's migrations, after the registry and the copies kit.</summary>
public sealed class RestoreDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<RestoreDbContext>(options)
{
    public override string Name => RestoreDbContext.ModuleName;
    public override int Order => 70;

    protected override RestoreDbContext CreateContext(string connectionString) => RestoreDbContext.Create(connectionString);
}
