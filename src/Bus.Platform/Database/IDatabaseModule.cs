namespace Bus.Platform.Database;

/// <summary>
/// A module that owns tables (its own EF Core DbContext and migrations history table). <c>busctl db
/// migrate</c> and the host's optional start-up migration apply every registered module in order.
/// </summary>
public interface IDatabaseModule
{
    /// <summary>Short name, e.g. "persistence", "registry", "operations".</summary>
    string Name { get; }
    /// <summary>Lower runs first (persistence 10, registry 20, operations 30...).</summary>
    int Order { get; }
    Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken);
    /// <summary>Applies pending migrations as the owner role (<c>Bus:Postgres:MigrationConnectionString</c>).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);
}
