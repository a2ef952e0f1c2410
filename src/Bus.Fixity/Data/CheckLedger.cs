using Bus.Contracts.Fixity;
using Npgsql;
using NpgsqlTypes;

namespace Bus.Fixity.Data;

/// <summary>
/// <c>fixity.checks</c>: one row per check, the in-flight guarantee and the operators' view. A partial
/// unique index allows one check without an outcome per copy, so whoever queues a check (two sweeps on
/// two hosts, busctl) inserts first and sends only when its insert won.
/// </summary>
public sealed class CheckLedger(FixityDatabase database) : ICheckLedger
{
    /// <summary>
    /// Starts a check for each copy that has none in flight (abandoning in-flight checks older than
    /// <paramref name="abandonAfter"/>). Returns the copies started with their new check ids; the others
    /// already had a check in flight and keep it.
    /// </summary>
    public async Task<IReadOnlyList<(CheckRequest Copy, Guid CheckId)>> StartAsync(
        IReadOnlyList<CheckRequest> copies, string requestedBy, DateTimeOffset requestedAt, TimeSpan abandonAfter, CancellationToken cancellationToken)
    {
        if (copies.Count == 0) return [];
        var ids = copies.Select(_ => Guid.CreateVersion7()).ToArray();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var abandon = new NpgsqlCommand("""
            UPDATE fixity.checks SET outcome = 'failed', completed_at = now(),
                detail = 'abandoned: no outcome ' || to_char(now() - requested_at, 'DD "days" HH24:MI:SS') || ' after it was queued'
            WHERE storage_record_id = ANY(@ids) AND completed_at IS NULL AND requested_at < now() - @abandon
            """, connection, transaction))
        {
            abandon.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = copies.Select(c => c.StorageRecordId).ToArray() });
            abandon.Parameters.AddWithValue("abandon", NpgsqlDbType.Interval, abandonAfter);
            await abandon.ExecuteNonQueryAsync(cancellationToken);
        }
        var started = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO fixity.checks (check_id, storage_record_id, file_identifier, bucket, requested_by, requested_at)
            SELECT u.id, u.copy, u.identifier, u.bucket, @by, @at
            FROM unnest(@check_ids, @copies, @identifiers, @buckets) AS u (id, copy, identifier, bucket)
            ON CONFLICT (storage_record_id) WHERE completed_at IS NULL DO NOTHING
            RETURNING check_id
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter("check_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids });
            insert.Parameters.Add(new NpgsqlParameter("copies", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = copies.Select(c => c.StorageRecordId).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("identifiers", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = copies.Select(c => c.FileIdentifier).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("buckets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = copies.Select(c => c.Bucket).ToArray() });
            insert.Parameters.AddWithValue("by", requestedBy);
            insert.Parameters.AddWithValue("at", requestedAt.ToUniversalTime());
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) started.Add(reader.GetGuid(0));
        }
        await transaction.CommitAsync(cancellationToken);
        return copies.Select((c, i) => (c, ids[i])).Where(p => started.Contains(p.Item2)).ToList();
    }

    /// <summary>The check in flight for each copy (those <see cref="StartAsync"/> did not start).</summary>
    public async Task<IReadOnlyList<CheckRow>> InFlightAsync(IReadOnlyList<long> storageRecordIds, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"{SelectRows} WHERE storage_record_id = ANY(@ids) AND completed_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = storageRecordIds.ToArray() });
        return await ReadRowsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<CheckRow>> GetAsync(IReadOnlyList<Guid> checkIds, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"{SelectRows} WHERE check_id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = checkIds.ToArray() });
        return await ReadRowsAsync(command, cancellationToken);
    }

    /// <summary>Sets the outcome. A later outcome of the same check (a faulted step replayed) replaces "failed".</summary>
    public async Task CompleteAsync(FixityCheckCompleted completed, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO fixity.checks (check_id, storage_record_id, file_identifier, bucket, requested_by, requested_at, outcome, detail, completed_at)
            VALUES (@id, @copy, @identifier, @bucket, 'unknown', @at, @outcome, @detail, @at)
            ON CONFLICT (check_id) DO UPDATE SET outcome = excluded.outcome, detail = excluded.detail, completed_at = excluded.completed_at,
                file_identifier = excluded.file_identifier, bucket = excluded.bucket
            WHERE fixity.checks.completed_at IS NULL OR fixity.checks.outcome = 'failed'
            """);
        command.Parameters.AddWithValue("id", completed.CheckId);
        command.Parameters.AddWithValue("copy", completed.StorageRecordId);
        command.Parameters.AddWithValue("identifier", completed.FileIdentifier);
        command.Parameters.AddWithValue("bucket", completed.Bucket);
        command.Parameters.AddWithValue("at", completed.CompletedAt.ToUniversalTime());
        command.Parameters.AddWithValue("outcome", completed.Outcome);
        command.Parameters.AddWithValue("detail", completed.Detail);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // An outcome for a check this ledger never started, while another is in flight for the copy
            // (a replayed message from long ago): the in-flight check keeps its row; nothing to record.
        }
    }

    public async Task<Guid> StartSweepAsync(string host, DateTimeOffset checkedBefore, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO fixity.sweep_runs (id, host, started_at, checked_before) VALUES (@id, @host, now(), @before)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("host", host);
        command.Parameters.AddWithValue("before", checkedBefore.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
        return id;
    }

    /// <summary>When the most recent sweep (any host) started, or null when none has.</summary>
    public async Task<DateTimeOffset?> LastSweepStartedAsync(CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT max(started_at) FROM fixity.sweep_runs");
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    public async Task FinishSweepAsync(Guid id, int claimed, int queued, string? error, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "UPDATE fixity.sweep_runs SET finished_at = now(), claimed = @claimed, queued = @queued, error = @error WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("claimed", claimed);
        command.Parameters.AddWithValue("queued", queued);
        command.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<FixityStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        int inFlight, failed, lost, repaired, intact;
        await using (var counts = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE completed_at IS NULL),
                   count(*) FILTER (WHERE outcome = 'failed' AND completed_at > now() - interval '1 day'),
                   count(*) FILTER (WHERE outcome = 'lost' AND completed_at > now() - interval '1 day'),
                   count(*) FILTER (WHERE outcome = 'repaired' AND completed_at > now() - interval '1 day'),
                   count(*) FILTER (WHERE outcome = 'intact' AND completed_at > now() - interval '1 day')
            FROM fixity.checks WHERE completed_at IS NULL OR completed_at > now() - interval '1 day'
            """, connection))
        await using (var reader = await counts.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (inFlight, failed, lost, repaired, intact) = ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4));
        }
        SweepRun? last = null;
        await using (var sweep = new NpgsqlCommand(
            "SELECT id, host, started_at, finished_at, checked_before, claimed, queued, error FROM fixity.sweep_runs ORDER BY started_at DESC LIMIT 1", connection))
        await using (var reader = await sweep.ExecuteReaderAsync(cancellationToken))
            if (await reader.ReadAsync(cancellationToken))
                last = new SweepRun(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetInt32(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7));
        await using var failures = new NpgsqlCommand($"{SelectRows} WHERE outcome IN ('failed', 'lost', 'deferred') ORDER BY completed_at DESC LIMIT 20", connection);
        return new FixityStatus(inFlight, failed, lost, repaired, intact, last, await ReadRowsAsync(failures, cancellationToken));
    }

    private const string SelectRows =
        "SELECT check_id, storage_record_id, file_identifier, bucket, requested_by, requested_at, outcome, detail, completed_at FROM fixity.checks";

    private static async Task<IReadOnlyList<CheckRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<CheckRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new CheckRow(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        return rows;
    }
}
