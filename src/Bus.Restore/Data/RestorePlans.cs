using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Bus.Restore.Data;

/// <summary>The restore's own rows: the request (its saga row), the plan (<c>bus.restore_files</c>) and the write checkpoint (<c>bus.restore_uploads</c>).</summary>
public sealed class RestorePlans(NpgsqlDataSource dataSource)
{
    public async Task<RestoreJob?> FindRequestAsync(Guid restoreId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT correlation_id, current_state, kind, identifier, object_identifier, institution, requested_by, requested_at, destination_key
            FROM bus.restore_saga WHERE correlation_id = @id
            """);
        command.Parameters.AddWithValue("id", restoreId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new RestoreJob(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
            r.GetFieldValue<DateTimeOffset>(7)) { DestinationKey = r.IsDBNull(8) ? null : r.GetString(8) };
    }

    /// <summary>Replaces the plan of a restore (only before its upload began: the caller checks).</summary>
    public async Task ReplacePlanAsync(Guid restoreId, IReadOnlyList<PlannedFile> files, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var delete = new NpgsqlCommand("DELETE FROM bus.restore_files WHERE restore_id = @id", connection, tx))
        {
            delete.Parameters.AddWithValue("id", restoreId);
            await delete.ExecuteNonQueryAsync(ct);
        }
        foreach (var chunk in files.Chunk(5_000))
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO bus.restore_files (restore_id, seq, path, size, sha256, file_id, candidates)
                SELECT @id, * FROM unnest(@seq, @path, @size, @sha, @file, @candidates::jsonb[])
                """, connection, tx);
            insert.Parameters.AddWithValue("id", restoreId);
            insert.Parameters.AddWithValue("seq", chunk.Select(f => f.Seq).ToArray());
            insert.Parameters.AddWithValue("path", chunk.Select(f => f.Path).ToArray());
            insert.Parameters.AddWithValue("size", chunk.Select(f => f.Size).ToArray());
            insert.Parameters.AddWithValue("sha", chunk.Select(f => f.Sha256).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("file", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = chunk.Select(f => (object?)f.FileId ?? DBNull.Value).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("candidates", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunk.Select(f => JsonSerializer.Serialize(f.Candidates)).ToArray() });
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<PlannedFile>> PlanAsync(Guid restoreId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT seq, path, size, sha256, file_id, candidates::text FROM bus.restore_files WHERE restore_id = @id ORDER BY seq
            """);
        command.Parameters.AddWithValue("id", restoreId);
        var files = new List<PlannedFile>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            files.Add(new PlannedFile(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetGuid(4),
                JsonSerializer.Deserialize<List<PlannedCopy>>(r.GetString(5))!));
        return files;
    }

    public async Task<UploadCheckpoint?> CheckpointAsync(Guid restoreId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT restore_id, bucket, key, upload_id, part_bytes, total_bytes, next_offset, parts::text, resume_seq, resume_at, hash_state,
                   bad_copies, version, slices, completed_at
            FROM bus.restore_uploads WHERE restore_id = @id
            """);
        command.Parameters.AddWithValue("id", restoreId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new UploadCheckpoint(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6),
            JsonSerializer.Deserialize<List<UploadedPart>>(r.GetString(7))!, r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt64(9),
            r.IsDBNull(10) ? null : r.GetFieldValue<byte[]>(10), r.GetFieldValue<long[]>(11), r.GetInt32(12), r.GetInt32(13),
            r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14));
    }

    /// <summary>Creates the checkpoint of a new upload (replacing one whose upload is gone); false when another delivery did first.</summary>
    public async Task<bool> StartAsync(UploadCheckpoint c, int? replacingVersion, CancellationToken ct)
    {
        var sql = replacingVersion is null
            ? """
              INSERT INTO bus.restore_uploads (restore_id, bucket, key, upload_id, part_bytes, total_bytes, next_offset, parts, bad_copies, version)
              VALUES (@id, @bucket, @key, @upload, @part, @total, 0, '[]', @bad, 1) ON CONFLICT (restore_id) DO NOTHING
              """
            : """
              UPDATE bus.restore_uploads SET upload_id = @upload, part_bytes = @part, total_bytes = @total, next_offset = 0, parts = '[]',
                     resume_seq = NULL, resume_at = NULL, hash_state = NULL, bad_copies = @bad, version = version + 1, updated_at = now()
              WHERE restore_id = @id AND version = @expected
              """;
        await using var command = dataSource.CreateCommand(sql);
        var p = command.Parameters;
        p.AddWithValue("id", c.RestoreId);
        p.AddWithValue("bucket", c.Bucket);
        p.AddWithValue("key", c.Key);
        p.AddWithValue("upload", c.UploadId);
        p.AddWithValue("part", c.PartBytes);
        p.AddWithValue("total", c.TotalBytes);
        p.AddWithValue("bad", c.BadCopies.ToArray());
        p.AddWithValue("expected", replacingVersion ?? 0);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Saves progress if nobody else did since <paramref name="expectedVersion"/>; false when superseded.</summary>
    public async Task<bool> SaveAsync(Guid restoreId, int expectedVersion, long nextOffset, IReadOnlyList<UploadedPart> parts, int? resumeSeq, long? resumeAt,
        byte[]? hashState, IReadOnlyList<long> badCopies, bool newSlice, DateTimeOffset? completedAt, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE bus.restore_uploads SET next_offset = @next, parts = @parts::jsonb, resume_seq = @seq, resume_at = @at, hash_state = @state,
                   bad_copies = @bad, version = version + 1, slices = slices + @slice, completed_at = @completed, updated_at = now()
            WHERE restore_id = @id AND version = @expected
            """);
        var p = command.Parameters;
        p.AddWithValue("id", restoreId);
        p.AddWithValue("expected", expectedVersion);
        p.AddWithValue("next", nextOffset);
        p.AddWithValue("parts", JsonSerializer.Serialize(parts));
        p.Add(new NpgsqlParameter("seq", NpgsqlDbType.Integer) { Value = (object?)resumeSeq ?? DBNull.Value });
        p.Add(new NpgsqlParameter("at", NpgsqlDbType.Bigint) { Value = (object?)resumeAt ?? DBNull.Value });
        p.Add(new NpgsqlParameter("state", NpgsqlDbType.Bytea) { Value = (object?)hashState ?? DBNull.Value });
        p.AddWithValue("bad", badCopies.ToArray());
        p.AddWithValue("slice", newSlice ? 1 : 0);
        p.Add(new NpgsqlParameter("completed", NpgsqlDbType.TimestampTz) { Value = (object?)completedAt?.ToUniversalTime() ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Forgets the checkpoint of a failed restore (its upload was aborted).</summary>
    public async Task ForgetUploadAsync(Guid restoreId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM bus.restore_uploads WHERE restore_id = @id");
        command.Parameters.AddWithValue("id", restoreId);
        await command.ExecuteNonQueryAsync(ct);
    }
}
