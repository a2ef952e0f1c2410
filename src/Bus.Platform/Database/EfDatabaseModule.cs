using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Database;

/// <summary>
/// An <see cref="IDatabaseModule"/> for a module whose tables are described by one EF Core DbContext
/// with hand-written migrations: a module says its name, its order and how to build its context.
/// </summary>
public abstract class EfDatabaseModule<TContext>(IOptions<PostgresOptions> postgres) : IDatabaseModule where TContext : DbContext
{
    public abstract string Name { get; }
    public abstract int Order { get; }

    protected abstract TContext CreateContext(string connectionString);

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext(postgres.Value.ConnectionString);
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }

    /// <summary>As the owner role (<c>Bus:Postgres:MigrationConnectionString</c>): the runtime role may not change the schema.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext(postgres.Value.MigrationConnectionString);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
