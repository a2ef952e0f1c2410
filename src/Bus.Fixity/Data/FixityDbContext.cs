using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore;

namespace Bus.Fixity.Data;

/// <summary>
/// The fixity module's migrations (schema <c>fixity</c>: checks and sweep runs; the check saga's table
/// in schema <c>bus</c>). Reads and writes go through <see cref="Checks.CheckLedger"/>'s SQL: the
/// in-flight guarantee is an ON CONFLICT against a partial unique index, which EF cannot express.
/// </summary>
public sealed class FixityDbContext(DbContextOptions<FixityDbContext> options) : DbContext(options)
{
    public const string Schema = "fixity";
    public const string ModuleName = "fixity";

    public static FixityDbContext Create(string connectionString) =>
        new((DbContextOptions<FixityDbContext>)new DbContextOptionsBuilder<FixityDbContext>().UseBusPostgres(connectionString, ModuleName).Options);

    /// <summary>The saga's map, so this module's model describes the table its migration creates.</summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new StateMachines.FixityCheckStateMap());
        modelBuilder.UseSnakeCaseNames();
    }
}
