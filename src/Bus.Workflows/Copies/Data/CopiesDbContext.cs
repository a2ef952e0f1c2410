using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Workflows.Copies.Data;

/// <summary>
/// The copy kit's migrations (<c>bus.copy_read_slices</c>, the checkpoints of every workflow's sliced reads),
/// with a migrations history of its own so each workflow module that uses the kit registers it once. Reads
/// and writes go through <see cref="CopyReadSlices"/>' SQL.
/// </summary>
public sealed class CopiesDbContext(DbContextOptions<CopiesDbContext> options) : DbContext(options)
{
    public const string ModuleName = "copies";

    public static CopiesDbContext Create(string connectionString) =>
        new((DbContextOptions<CopiesDbContext>)new DbContextOptionsBuilder<CopiesDbContext>().UseBusPostgres(connectionString, ModuleName).Options);
}

/// <summary>
/// Lets <c>busctl db migrate</c> apply the copy kit's migrations: after ingest (40), which only drops its old
/// read checkpoints, and before fixity (50), whose migration moves its slices into this table.
/// </summary>
public sealed class CopiesDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<CopiesDbContext>(options)
{
    public override string Name => CopiesDbContext.ModuleName;
    public override int Order => 45;

    protected override CopiesDbContext CreateContext(string connectionString) => CopiesDbContext.Create(connectionString);
}
