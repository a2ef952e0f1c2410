using Microsoft.EntityFrameworkCore;
using Npgsql;
using Bus.Platform.Database;

namespace Bus.Registry.Store;

/// <summary>
/// Entry point for callers without a transaction of their own: opens a pooled connection, runs the
/// work on a <see cref="RegistryStore"/> (in a transaction when asked), commits. Callers that already
/// hold a connection and transaction (the outbox) construct <see cref="RegistryStore"/> directly.
/// Works on the process's one data source (<see cref="BusDataSource"/>), shared with every other module: it disposes
/// the data source only when <paramref name="ownsDataSource"/> (a test or tool with no host around it).
/// </summary>
public sealed class RegistryDatabase(NpgsqlDataSource dataSource, bool ownsDataSource = false) : IAsyncDisposable
{
    private readonly DbContextOptions<RegistryDbContext> _contextOptions = (DbContextOptions<RegistryDbContext>)
        new DbContextOptionsBuilder<RegistryDbContext>().UseBusPostgres(dataSource, RegistryDbContext.ModuleName).Options;

    public NpgsqlDataSource DataSource { get; } = dataSource;

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

    /// <summary>A context of its own (the caller disposes it) on the shared data source.</summary>
    public RegistryDbContext CreateDbContext() => new(_contextOptions);

    public ValueTask DisposeAsync() => ownsDataSource ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
}
