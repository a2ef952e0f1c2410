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

    public PostgresSagaRepositoryContext(SagaDbContext<TSaga> db, MessageTransaction transaction, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory, PostgresSagaSettings<TSaga> settings)
        : base(consumeContext, db)
    {
        _db = db;
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
        if (!await TryInsertAsync(instance)) return null;
        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        var instance = await LockAsync(correlationId);
        return instance is null ? null : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task<TSaga?> LockAsync(Guid correlationId)
    {
        var sql = $"SELECT *, xmin FROM {Table} WHERE correlation_id = @id" +
            (_settings.ConcurrencyMode == SagaConcurrencyMode.Pessimistic ? " FOR UPDATE" : "");
        var rows = await _db.Set<TSaga>().FromSqlRaw(sql, new NpgsqlParameter("id", correlationId)).ToListAsync(CancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>
    /// A new instance after the state machine ran. If another message created the same instance
    /// meanwhile, this one lost the race: retrying the message applies it to the winner's row.
    /// </summary>
    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        if (!await TryInsertAsync(context.Saga))
            throw new DatabaseTransientException($"{SagaType} {context.Saga.CorrelationId} was created by a concurrent message; retrying applies this one to it");
    }

    /// <summary>
    /// One UPDATE of every saga column, checked against the row version read at load (optimistic mode
    /// relies on it; under FOR UPDATE it always matches), batched with the transition rows: one round trip.
    /// </summary>
    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        batch.BatchCommands.Add(UpdateCommand(context.Saga));
        TransitionRecorder<TSaga>.AddWrites(batch, SagaType, context.Saga);
        await batch.ExecuteNonQueryAsync(CancellationToken);
        if (batch.BatchCommands[0].RecordsAffected == 0)
            throw new DbUpdateConcurrencyException($"{SagaType} {context.Saga.CorrelationId} changed since it was loaded (xmin)");
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        _db.Remove(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
        await WriteTransitionsAsync(context.Saga);
    }

    // A new instance finalized by its first message never gets a row; its transitions still happened.
    public Task Discard(SagaConsumeContext<TSaga> context) => WriteTransitionsAsync(context.Saga);

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
        batch.BatchCommands.Add(InsertCommand(instance));
        TransitionRecorder<TSaga>.AddWrites(batch, SagaType, instance);
        uint? xmin = null;
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken))
        {
            if (await reader.ReadAsync(CancellationToken)) xmin = reader.GetFieldValue<uint>(0);
            while (await reader.NextResultAsync(CancellationToken)) { }
        }
        if (xmin is null) return false;
        // Tracked from here on with the row version just written, so a later update in this message
        // (the pre-insert path) passes its xmin check.
        var entry = _db.Attach(instance);
        entry.Property(SagaMap<TSaga>.Xmin).OriginalValue = xmin.Value;
        entry.Property(SagaMap<TSaga>.Xmin).CurrentValue = xmin.Value;
        return true;
    }

    private async Task WriteTransitionsAsync(TSaga instance)
    {
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        TransitionRecorder<TSaga>.AddWrites(batch, SagaType, instance);
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(CancellationToken);
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
            $"INSERT INTO {Table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)}) ON CONFLICT (correlation_id) DO NOTHING RETURNING xmin";
        return command;
    }
}
