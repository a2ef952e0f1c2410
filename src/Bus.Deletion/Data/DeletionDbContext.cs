using Bus.Deletion.StateMachines;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;

namespace Bus.Deletion.Data;

/// <summary>The deletion module's tables in schema bus: the saga table (and the shared item locks, created by its migration).</summary>
public sealed class DeletionDbContext(DbContextOptions<DeletionDbContext> options) : DbContext(options)
{
    public const string ModuleName = "deletion";

    public DbSet<DeletionState> Requests => Set<DeletionState>();

    public static DeletionDbContext Create(string connectionString) =>
        new((DbContextOptions<DeletionDbContext>)new DbContextOptionsBuilder<DeletionDbContext>().UseBusPostgres(connectionString, ModuleName).Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(PostgresOptions.BusSchema);
        modelBuilder.ApplyConfiguration(new DeletionStateMap());
        modelBuilder.UseSnakeCaseNames();
    }
}
