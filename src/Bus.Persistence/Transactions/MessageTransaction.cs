using System.Data;
using Bus.Persistence.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Persistence.Transactions;

/// <summary>
/// The database transaction of the message being handled (scoped: one per consumed message). The
/// outbox opens it before the consumer runs and commits it after the inbox, outbox and scheduled rows
/// are written, so whatever a consumer writes through <see cref="Connection"/> or an enlisted
/// DbContext commits or rolls back together with the messages it sent. The saga repository uses the
/// same transaction, or opens one of its own on endpoints without the outbox.
/// Round trips are what a message costs on a busy machine, so two kinds of statement wait to be sent
/// with others: the inbox claim of a saga message goes with the saga's <c>SELECT ... FOR UPDATE</c>, and
/// writes whose only answer is success or failure (saga row, transitions, outbox rows) go with
/// <c>COMMIT</c>, in one batch that PostgreSQL runs up to the first error (then nothing commits).
/// </summary>
public sealed class MessageTransaction(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private InboxClaim? _pendingClaim;
    private readonly List<NpgsqlBatchCommand> _deferred = [];
    private readonly Dictionary<NpgsqlBatchCommand, Func<Exception, Exception>> _expectingRow = [];
    private readonly List<Action> _afterCommit = [];

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

    /// <summary>
    /// Sends the deferred writes (and a claim nobody picked up) together with <c>COMMIT</c>: one round trip.
    /// If any statement fails, PostgreSQL skips the rest of the batch, <c>COMMIT</c> included, and the
    /// transaction rolls back.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var transaction = Transaction;
        if (_deferred.Count == 0 && _pendingClaim is null)
        {
            await transaction.CommitAsync(cancellationToken);
            await EndAsync(committed: true);
            return;
        }

        await using (var batch = new NpgsqlBatch(Connection, transaction))
        {
            if (TakePendingClaim() is { } claim) batch.BatchCommands.Add(claim.Command());
            foreach (var command in _deferred) batch.BatchCommands.Add(command);
            // COMMIT as SQL: Npgsql follows the server's transaction status, so the NpgsqlTransaction
            // counts as completed afterwards and is disposed without a rollback.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == NoRowSqlState && _expectingRow.Count > 0)
            {
                throw NoRow(e);
            }
            finally
            {
                _deferred.Clear();
                _expectingRow.Clear();
            }
        }
        await EndAsync(committed: true);
    }

    /// <summary>A write to send with <c>COMMIT</c>; nothing in this transaction may need to read it before.</summary>
    internal void Defer(NpgsqlBatchCommand command)
    {
        _ = Transaction;
        _deferred.Add(command);
    }

    // division_by_zero: what DeferExpectingRow's statement raises when its write touched no row.
    private const string NoRowSqlState = "22012";

    /// <summary>
    /// A deferred write that must touch a row (an UPDATE checked against xmin, an insert that may lose a
    /// race). Its <c>RETURNING 1</c> rows are counted and divided into, so "no row" fails the statement on
    /// the server (division_by_zero), before <c>COMMIT</c> runs; <paramref name="noRow"/> makes the exception
    /// the caller sees. Done in SQL because the result is only known after COMMIT would have been sent.
    /// </summary>
    internal void DeferExpectingRow(NpgsqlBatchCommand command, Func<Exception, Exception> noRow)
    {
        command.CommandText = $"WITH written AS ({command.CommandText} RETURNING 1) SELECT 1 / count(*) FROM written";
        Defer(command);
        _expectingRow[command] = noRow;
    }

    // Only the checked writes divide; Npgsql names the failed statement only with "Include Failed
    // Batched Command", so without it one checked write is unambiguous and several are all retryable.
    private Exception NoRow(PostgresException e)
    {
        if (e.BatchCommand is { } failed && _expectingRow.TryGetValue(failed, out var noRow)) return noRow(e);
        if (_expectingRow.Count == 1) return _expectingRow.Values.Single()(e);
        return new DatabaseTransientException("A checked write of this message touched no row (a concurrent change); retrying", e);
    }

    /// <summary>A saga message's inbox claim, waiting for the saga's first statement (or for COMMIT).</summary>
    internal void DeferClaim(InboxClaim claim) => _pendingClaim = claim;

    internal InboxClaim? TakePendingClaim()
    {
        var claim = _pendingClaim;
        _pendingClaim = null;
        return claim;
    }

    /// <summary>
    /// Runs <paramref name="action"/> once this transaction has committed, and never if it rolls back: what
    /// is counted there (metrics) counts a message once even when a transient error rolled back and retried it.
    /// An action must be quick and must not throw (a failure is swallowed: the commit has happened).
    /// </summary>
    public void AfterCommit(Action action)
    {
        _ = Transaction;
        _afterCommit.Add(action);
    }

    /// <summary>Rolls back if still open and releases the connection; safe to call more than once.</summary>
    public Task EndAsync() => EndAsync(committed: false);

    private async Task EndAsync(bool committed)
    {
        var transaction = _transaction;
        var connection = _connection;
        _transaction = null;
        _connection = null;
        _pendingClaim = null;
        _deferred.Clear();
        _expectingRow.Clear();
        if (committed) RunAfterCommit();
        _afterCommit.Clear();
        if (transaction is not null)
        {
            // After a commit there is nothing to roll back (Npgsql would throw: "completed").
            try { if (!committed && transaction.Connection is not null) await transaction.RollbackAsync(CancellationToken.None); }
            catch (NpgsqlException) { /* the connection is broken; disposing it is all that is left */ }
            catch (InvalidOperationException) { }
            await transaction.DisposeAsync();
        }
        if (connection is not null) await connection.DisposeAsync();
    }

    private void RunAfterCommit()
    {
        foreach (var action in _afterCommit)
        {
            try { action(); }
            catch (Exception e) when (e is not OutOfMemoryException) { /* observers only: the message's work has committed */ }
        }
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
