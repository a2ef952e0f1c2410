using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Persistence.Transactions;

/// <summary>
/// The database transaction of the message being handled (scoped: one per consumed message). The
/// outbox opens it before the consumer runs and commits it after the inbox, outbox and scheduled rows
/// are written, so whatever a consumer writes through <see cref="Connection"/> or an enlisted
/// DbContext commits or rolls back together with the messages it sent. The saga repository uses the
/// same transaction, or opens one of its own on endpoints without the outbox.
/// </summary>
public sealed class MessageTransaction(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public bool IsActive => _transaction is not null;

    public NpgsqlConnection Connection => _connection ?? throw NotActive();
    public NpgsqlTransaction Transaction => _transaction ?? throw NotActive();

    /// <summary>ReadCommitted: row locks (<c>FOR UPDATE</c>) give the isolation sagas need; stricter levels only add 40001 failures under load.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (IsActive) throw new InvalidOperationException("A message transaction is already active in this scope.");
        _connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            _transaction = await _connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        }
        catch
        {
            await _connection.DisposeAsync();
            _connection = null;
            throw;
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction.CommitAsync(cancellationToken);
        await EndAsync();
    }

    /// <summary>Rolls back if still open and releases the connection; safe to call more than once.</summary>
    public async Task EndAsync()
    {
        var transaction = _transaction;
        var connection = _connection;
        _transaction = null;
        _connection = null;
        if (transaction is not null)
        {
            try { if (transaction.Connection is not null) await transaction.RollbackAsync(CancellationToken.None); }
            catch (NpgsqlException) { /* the connection is broken; disposing it is all that is left */ }
            catch (InvalidOperationException) { }
            await transaction.DisposeAsync();
        }
        if (connection is not null) await connection.DisposeAsync();
    }

    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, Transaction);

    /// <summary>
    /// Makes <paramref name="db"/> run on this transaction. Call before the context opens a connection of
    /// its own (configure it with <c>UseNpgsql()</c> without a connection string, or just don't use it first).
    /// </summary>
    public async Task<TContext> EnlistAsync<TContext>(TContext db, CancellationToken cancellationToken = default) where TContext : DbContext
    {
        db.Database.SetDbConnection(Connection);
        await db.Database.UseTransactionAsync(Transaction, cancellationToken);
        return db;
    }

    public ValueTask DisposeAsync() => new(EndAsync());

    private static InvalidOperationException NotActive() =>
        new("No message transaction is active: the endpoint needs UsePostgresOutbox (or this code runs outside a consumer).");
}
