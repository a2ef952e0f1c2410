using Npgsql;

namespace Bus.Registry.Store;

/// <summary>
/// Entry point for callers without a transaction of their own: opens a pooled connection, runs the
/// work on a <see cref="RegistryStore"/> (in a transaction when asked), commits. Callers that already
/// hold a connection and transaction (the outbox) construct <see cref="RegistryStore"/> directly.
/// </summary>
public sealed class RegistryDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);

    public string ConnectionString => connectionString;

    /// <summary>Runs <paramref name="work"/> in one ReadCommitted transaction, committed when it returns.</summary>
    public async Task<T> InTransactionAsync<T>(Func<RegistryStore, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(new RegistryStore(connection, transaction));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the caller's open transaction (a consumer's message transaction),
    /// which the caller commits: registry rows then commit with whatever else that transaction holds.
    /// </summary>
    public Task<T> InTransactionAsync<T>(NpgsqlTransaction transaction, Func<RegistryStore, Task<T>> work) =>
        work(new RegistryStore(transaction.Connection ?? throw new InvalidOperationException("The transaction is already completed"), transaction));

    /// <summary>Runs <paramref name="work"/> without a transaction (each statement commits on its own).</summary>
    public async Task<T> RunAsync<T>(Func<RegistryStore, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await work(new RegistryStore(connection));
    }

    public RegistryDbContext CreateDbContext() => RegistryDbContext.Create(connectionString);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
