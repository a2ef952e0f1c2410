using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Persistence.Database;

/// <summary>Migrates the messaging tables; first of all modules, since sagas and consumers of every other module use them.</summary>
public sealed class PersistenceDatabaseModule(IOptions<PostgresOptions> postgres) : EfDatabaseModule<PersistenceDbContext>(postgres)
{
    public override string Name => "persistence";
    public override int Order => 10;

    protected override PersistenceDbContext CreateContext(DbContextOptions<PersistenceDbContext> options) => new(options);
}
