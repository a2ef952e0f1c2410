using Bus.Persistence.Outbox;
using Bus.Persistence.Transactions;
using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Bus.Persistence.Sagas;

/// <summary>
/// One message's view of one saga table, on the message's transaction. Loads lock the row
/// (<c>FOR UPDATE</c>, pessimistic mode); new instances are inserted with <c>ON CONFLICT DO NOTHING</c>
/// so a lost race never aborts the transaction; every write also records the instance's transitions.
/// Writes are sent with the message's COMMIT (<see cref="MessageTransaction.Defer"/>), checked on the
/// server, so an event costs two round trips: claim + lock + load, then writes + commit.
/// </summary>
internal sealed class PostgresSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, SagaStateMachineInstance
    where TMessage : class
{
    private readonly SagaDbContext<TSaga> _db;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly PostgresSagaSettings<TSaga> _settings;
    private readonly MessageTransaction _messageTransaction;
    private (Guid Id, TSaga? Instance)? _preloaded;
    private readonly string? _virtualHost;

    public PostgresSagaRepositoryContext(SagaDbContext<TSaga> db, MessageTransaction transaction, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory, PostgresSagaSettings<TSaga> settings, string? virtualHost = null)
        : base(consumeContext, db)
    {
        _virtualHost = virtualHost;
        _db = db;
        _messageTransaction = transaction;
        _connection = transaction.Connection;
        _transaction = transaction.Transaction;
        _consumeContext = consumeContext;
        _factory = factory;
        _settings = settings;
    }

    private static string Table => $"\"bus\".\"{SagaDbContext<TSaga>.Map.TableName}\"";
    private static string SagaType => typeof(TSaga).Name;

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    /// <summary>
    /// Pre-insert (events with InsertOnInitial): a lost race returns null and MassTransit then loads,
    /// which waits on the winner's row lock and sees its committed row.
    /// </summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        _preloaded = null;
        if (!await TryInsertAsync(instance)) return null;
        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        TSaga? instance;
        if (_preloaded is { } preloaded && preloaded.Id == correlationId)
        {
            _preloaded = null;
            instance = preloaded.Instance;
        }
        else instance = await LockAsync(correlationId);
        return instance is null ? null : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    /// <summary>
    /// The message's inbox claim and the lock and load of its instance, in one round trip (claim first,
    /// the same lock order as a consumer's). The next <see cref="Load"/> of that id uses the row read here;
    /// if the claim finds a duplicate the caller skips the saga and the commit releases the lock.
    /// </summary>
    public async Task ClaimAndLockAsync(InboxClaim claim, Guid correlationId)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        batch.BatchCommands.Add(claim.Command());
        batch.BatchCommands.Add(LockCommand(correlationId));
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken);
        await claim.ReadAsync(reader, CancellationToken);
        await reader.NextResultAsync(CancellationToken);
        _preloaded = (correlationId, await ReadInstanceAsync(reader));
    }

    public async Task<TSaga?> LockAsync(Guid correlationId)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        batch.BatchCommands.Add(LockCommand(correlationId));
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken);
        return await ReadInstanceAsync(reader);
    }

    private NpgsqlBatchCommand LockCommand(Guid correlationId)
    {
        var command = new NpgsqlBatchCommand($"SELECT {SagaRowReader<TSaga>.SelectList(_db)} FROM {Table} WHERE correlation_id = @id" +
            (_settings.ConcurrencyMode == SagaConcurrencyMode.Pessimistic ? " FOR UPDATE" : ""));
        command.Parameters.Add(new NpgsqlParameter("id", correlationId));
        return command;
    }

    private async Task<TSaga?> ReadInstanceAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken)) return null;
        // Loaded in this message already (pre-insert, CorrelateBy): EF tracks one object per key.
        if (_db.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == reader.GetGuid(reader.GetOrdinal("correlation_id"))) is { } tracked)
            return tracked.Entity;
        return SagaRowReader<TSaga>.Read(_db, reader);
    }

    /// <summary>
    /// A new instance after the state machine ran, written with the commit. If another message created
    /// the same instance meanwhile, the insert touches no row, nothing commits, and retrying the message
    /// applies it to the winner's row.
    /// </summary>
    public Task Save(SagaConsumeContext<TSaga> context)
    {
        _messageTransaction.DeferExpectingRow(InsertCommand(context.Saga), e => new DatabaseTransientException(
            $"{SagaType} {context.Saga.CorrelationId} was created by a concurrent message; retrying applies this one to it", e));
        DeferTransitions(context.Saga);
        return Task.CompletedTask;
    }

    /// <summary>
    /// One UPDATE of every saga column, checked against the row version read at load (optimistic mode
    /// relies on it; under FOR UPDATE it always matches), written with its transition rows and the commit.
    /// </summary>
    public Task Update(SagaConsumeContext<TSaga> context)
    {
        _messageTransaction.DeferExpectingRow(UpdateCommand(context.Saga), e => new DbUpdateConcurrencyException(
            $"{SagaType} {context.Saga.CorrelationId} changed since it was loaded (xmin)", e));
        DeferTransitions(context.Saga);
        return Task.CompletedTask;
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        _db.Remove(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
        DeferTransitions(context.Saga);
    }

    // A new instance finalized by its first message never gets a row; its transitions still happened.
    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        DeferTransitions(context.Saga);
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = _db.ChangeTracker.Entries<TSaga>().FirstOrDefault(e => e.Entity.CorrelationId == context.Saga.CorrelationId);
        if (entry is not null) entry.State = EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class => _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);

    private async Task<bool> TryInsertAsync(TSaga instance)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        var insert = InsertCommand(instance);
        insert.CommandText += " RETURNING xmin";
        batch.BatchCommands.Add(insert);
        var transitions = TransitionRecorder<TSaga>.AddWrites(batch.BatchCommands, SagaType, instance, _virtualHost);
        uint? xmin = null;
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken))
        {
            if (await reader.ReadAsync(CancellationToken)) xmin = reader.GetFieldValue<uint>(0);
            while (await reader.NextResultAsync(CancellationToken)) { }
        }
        if (xmin is null) return false;
        ObserveAfterCommit(instance, transitions);
        // Tracked from here on with the row version just written, so a later update in this message
        // (the pre-insert path) passes its xmin check.
        var entry = _db.Attach(instance);
        entry.Property(SagaMap<TSaga>.Xmin).OriginalValue = xmin.Value;
        entry.Property(SagaMap<TSaga>.Xmin).CurrentValue = xmin.Value;
        return true;
    }

    private void DeferTransitions(TSaga instance)
    {
        var commands = new List<NpgsqlBatchCommand>();
        var transitions = TransitionRecorder<TSaga>.AddWrites(commands, SagaType, instance, _virtualHost);
        foreach (var command in commands) _messageTransaction.Defer(command);
        ObserveAfterCommit(instance, transitions);
    }

    private void ObserveAfterCommit(TSaga instance, SagaTransition[] transitions)
    {
        if (transitions.Length > 0 && CommittedTransitions<TSaga>.Observed)
            _messageTransaction.AfterCommit(() => CommittedTransitions<TSaga>.Committed(instance, transitions));
    }

    private NpgsqlBatchCommand UpdateCommand(TSaga instance)
    {
        var entry = _db.Entry(instance);
        using var scratch = new NpgsqlCommand();
        var command = new NpgsqlBatchCommand();
        var sets = new List<string>();
        var i = 0;
        foreach (var property in entry.Metadata.GetProperties())
        {
            if (property.IsPrimaryKey() || property.Name is SagaMap<TSaga>.Xmin or SagaMap<TSaga>.CreatedAt) continue;
            if (property.Name == SagaMap<TSaga>.UpdatedAt)
            {
                sets.Add($"\"{property.GetColumnName()}\" = now()");
                continue;
            }
            var name = $"p{i++}";
            command.Parameters.Add((NpgsqlParameter)property.GetRelationalTypeMapping()
                .CreateParameter(scratch, name, entry.Property(property.Name).CurrentValue, property.IsNullable));
            sets.Add($"\"{property.GetColumnName()}\" = @{name}");
        }
        command.Parameters.Add(new NpgsqlParameter("id", instance.CorrelationId));
        command.Parameters.Add(new NpgsqlParameter("xmin", NpgsqlTypes.NpgsqlDbType.Xid) { Value = entry.Property(SagaMap<TSaga>.Xmin).OriginalValue! });
        command.CommandText = $"UPDATE {Table} SET {string.Join(", ", sets)} WHERE correlation_id = @id AND xmin = @xmin";
        return command;
    }

    /// <summary>Every mapped column from the EF model, values through EF's own type mappings (converters included).</summary>
    private NpgsqlBatchCommand InsertCommand(TSaga instance)
    {
        var entityType = _db.Model.FindEntityType(typeof(TSaga))!;
        using var scratch = new NpgsqlCommand();
        var command = new NpgsqlBatchCommand();
        var columns = new List<string>();
        var values = new List<string>();
        var i = 0;
        foreach (var property in entityType.GetProperties())
        {
            if (property.Name == SagaMap<TSaga>.Xmin) continue;
            columns.Add($"\"{property.GetColumnName()}\"");
            if (property.Name is SagaMap<TSaga>.CreatedAt or SagaMap<TSaga>.UpdatedAt)
            {
                values.Add("now()");
                continue;
            }
            var value = property.PropertyInfo?.GetValue(instance) ?? property.FieldInfo?.GetValue(instance);
            if (property.Name == SagaMap<TSaga>.CurrentState && value is null) value = "Initial";
            var name = $"p{i++}";
            var parameter = property.GetRelationalTypeMapping().CreateParameter(scratch, name, value, property.IsNullable);
            command.Parameters.Add((NpgsqlParameter)parameter);
            values.Add("@" + name);
        }
        command.CommandText =
            $"INSERT INTO {Table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)}) ON CONFLICT (correlation_id) DO NOTHING";
        return command;
    }
}
