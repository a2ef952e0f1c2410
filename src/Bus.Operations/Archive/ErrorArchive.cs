using Bus.Operations.Audit;
using Bus.Operations.Database;
using Bus.Operations.ErrorQueues;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Bus.Operations.Archive;

/// <summary>
/// errors archive / archived / restore / purge-archive. Archive commits each message's row (and
/// its audit row) before acknowledging it in the error queue; restore publishes with a broker
/// confirm before deleting the row. Either way a crash can leave a message in both places, never
/// in neither.
/// </summary>
public sealed class ErrorArchive(
    IOptions<RabbitMqOptions> rabbit,
    IOptions<OperationsOptions> operations,
    NpgsqlDataSource dataSource,
    ErrorAudit audit,
    TimeProvider clock)
{
    /// <summary>Rows per transaction: bounds what a crash can leave duplicated while keeping commits few.</summary>
    private const int BatchSize = 100;

    public async Task<ArchiveReport> ArchiveAsync(string queue, MessageSelector selector, bool dryRun, string actor, CancellationToken cancellationToken)
    {
        await audit.EnsureReadyAsync(cancellationToken);
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        await ErrorQueueService.RequireErrorQueueAsync(broker, queue, cancellationToken);
        var seen = new HashSet<Guid>();
        await using var scan = await broker.ScanAsync(queue, operations.Value.MaxScanMessages, read =>
        {
            if (Guid.TryParse(read[^1].MessageId, out var id)) seen.Add(id);
            return selector.IsExhaustedBy(seen);
        }, cancellationToken);
        var selected = scan.Messages.Where(selector.Matches).ToList();
        var archived = new List<ArchivedSummary>();
        if (!dryRun)
            foreach (var batch in selected.Chunk(BatchSize))
            {
                var ids = new List<long>();
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
                {
                    foreach (var m in batch)
                    {
                        ids.Add(await InsertAsync(connection, transaction, m, actor, cancellationToken));
                        await ErrorAudit.RecordAsync(connection, transaction, actor, "archive", queue, m.MessageId, null, "archived", null, cancellationToken);
                    }
                    await transaction.CommitAsync(cancellationToken);
                }
                // Only now, with the rows durable, do the messages leave the queue.
                for (var i = 0; i < batch.Length; i++)
                {
                    await scan.AcknowledgeAsync(batch[i], cancellationToken);
                    archived.Add(Summary(ids[i], batch[i], actor));
                }
            }
        else archived.AddRange(selected.Select(m => Summary(0, m, actor)));
        return new ArchiveReport(queue, dryRun, scan.Messages.Count, scan.Truncated, archived);
    }

    public async Task<IReadOnlyList<ArchivedSummary>> ListAsync(string? queue, CancellationToken cancellationToken)
    {
        await audit.EnsureReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("""
            SELECT id, queue, message_id, message_type, exception_type, fault_timestamp, archived_at, archived_by, octet_length(body)
            FROM bus.archived_error_messages WHERE ($1::text IS NULL OR queue = $1) ORDER BY id
            """);
        command.Parameters.Add(new() { Value = (object?)queue ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var rows = new List<ArchivedSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new ArchivedSummary(reader.GetInt64(0), reader.GetString(1), Nullable(reader, 2), Nullable(reader, 3), Nullable(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7), reader.GetInt32(8)));
        return rows;
    }

    /// <summary>The archived message exactly as stored (for tests and for a look before restoring).</summary>
    public async Task<ArchivedErrorMessage?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, queue, message_id, archived_by, archived_at, properties::text, body FROM bus.archived_error_messages WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new ArchivedErrorMessage
        {
            Id = reader.GetInt64(0), Queue = reader.GetString(1), MessageId = Nullable(reader, 2), ArchivedBy = reader.GetString(3),
            ArchivedAt = reader.GetFieldValue<DateTimeOffset>(4), Properties = reader.GetString(5), Body = reader.GetFieldValue<byte[]>(6),
        };
    }

    /// <summary>Puts archived messages back into the error queue they came from (at its end), each confirmed before its row is deleted.</summary>
    public async Task<IReadOnlyList<RestoredMessage>> RestoreAsync(IReadOnlyList<long> ids, string actor, CancellationToken cancellationToken)
    {
        await audit.EnsureReadyAsync(cancellationToken);
        var rows = new List<ArchivedErrorMessage>();
        foreach (var id in ids.Distinct())
            rows.Add(await GetAsync(id, cancellationToken) ?? throw new OperationsUsageException($"no archived message with id {id} (see 'busctl errors archived')"));
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        foreach (var queue in rows.Select(r => r.Queue).Distinct())
            if (await broker.ReadyCountAsync(queue, cancellationToken) is null)
                throw new OperationsUsageException($"queue '{queue}' no longer exists: nothing restored (recreate it, e.g. by starting its service)");
        await using var publisher = await broker.CreatePublisherAsync(cancellationToken);
        var restored = new List<RestoredMessage>();
        foreach (var row in rows)
        {
            await publisher.PublishToQueueAsync(row.Queue, AmqpPropertiesCodec.Deserialize(row.Properties), row.Body, cancellationToken);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var delete = new NpgsqlCommand("DELETE FROM bus.archived_error_messages WHERE id = $1", connection, transaction))
            {
                delete.Parameters.Add(new() { Value = row.Id });
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            await ErrorAudit.RecordAsync(connection, transaction, actor, "restore", row.Queue, row.MessageId, row.Queue, "restored", $"archive id {row.Id}", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            restored.Add(new RestoredMessage(row.Id, row.Queue, row.MessageId));
        }
        return restored;
    }

    /// <summary>Deletes archived messages older than Bus:Operations:ArchiveRetentionDays; returns how many.</summary>
    public async Task<PurgeReport> PurgeAsync(string actor, CancellationToken cancellationToken)
    {
        await audit.EnsureReadyAsync(cancellationToken);
        var retention = TimeSpan.FromDays(operations.Value.ArchiveRetentionDays);
        var cutoff = clock.GetUtcNow() - retention;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int deleted;
        await using (var command = new NpgsqlCommand("DELETE FROM bus.archived_error_messages WHERE archived_at < $1", connection, transaction))
        {
            command.Parameters.Add(new() { Value = cutoff });
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (deleted > 0)
            await ErrorAudit.RecordAsync(connection, transaction, actor, "purge", "*", null, null, "purged",
                $"{deleted} archived message(s) older than {operations.Value.ArchiveRetentionDays} days (before {cutoff:O})", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new PurgeReport(deleted, operations.Value.ArchiveRetentionDays, cutoff);
    }

    private static async Task<long> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ErrorMessage m, string actor, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO bus.archived_error_messages (queue, message_id, message_type, exception_type, fault_timestamp, archived_by, properties, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """, connection, transaction);
        command.Parameters.Add(new() { Value = m.Queue });
        command.Parameters.Add(new() { Value = (object?)m.MessageId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = m.MessageTypes.Count > 0 ? m.MessageTypes[0] : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)m.ExceptionType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)m.FaultTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = actor });
        command.Parameters.Add(new() { Value = AmqpPropertiesCodec.Serialize(m.Properties), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = m.Body, NpgsqlDbType = NpgsqlDbType.Bytea });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private ArchivedSummary Summary(long id, ErrorMessage m, string actor) =>
        new(id, m.Queue, m.MessageId, m.MessageTypes.Count > 0 ? m.MessageTypes[0] : null, m.ExceptionType, m.FaultTimestamp, clock.GetUtcNow(), actor, m.Body.Length);

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

public sealed record ArchiveReport(string Queue, bool DryRun, int Scanned, bool Truncated, IReadOnlyList<ArchivedSummary> Messages);

public sealed record ArchivedSummary(long Id, string Queue, string? MessageId, string? MessageType, string? ExceptionType,
    DateTimeOffset? FaultTimestamp, DateTimeOffset ArchivedAt, string ArchivedBy, int BodyBytes);

public sealed record RestoredMessage(long Id, string Queue, string? MessageId);

public sealed record PurgeReport(int Deleted, int RetentionDays, DateTimeOffset Cutoff);
