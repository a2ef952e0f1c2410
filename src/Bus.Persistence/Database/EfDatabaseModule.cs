using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Persistence.Database;

/// <summary>
/// An <see cref="IDatabaseModule"/> for a module whose tables are described by one EF Core DbContext
/// with hand-written migrations. A module derives it with its name, order and how to construct its context.
/// </summary>
public abstract class EfDatabaseModule<TContext>(IOptions<PostgresOptions> postgres) : IDatabaseModule where TContext : DbContext
{
    public abstract string Name { get; }
    public abstract int Order { get; }

    protected abstract TContext CreateContext(DbContextOptions<TContext> options);

    public TContext CreateContext() =>
        CreateContext((DbContextOptions<TContext>)new DbContextOptionsBuilder<TContext>().UseBusPostgres(postgres.Value.ConnectionString, Name).Options);

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext();
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
