using Npgsql;

namespace Bus.Ingest.Data;

/// <summary>Where a sliced read of a copy stopped: next byte, the version read (ETag) and the sha256 state.</summary>
public sealed record CopyReadCheckpoint(long Offset, string ETag, byte[] Sha256State);

/// <summary>Verify's per-copy read checkpoints (bus.ingest_copy_reads), each committed on its own.</summary>
public sealed class CopyReadCheckpoints(InterimStore store)
{
    public async Task<CopyReadCheckpoint?> LoadAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command("SELECT next_offset, etag, sha256_state FROM bus.ingest_copy_reads WHERE ingest_id = @id AND path = @path AND role = @role",
            ingestId, path, role);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CopyReadCheckpoint(r.GetInt64(0), r.GetString(1), (byte[])r[2]) : null;
    }

    public async Task SaveAsync(Guid ingestId, string path, string role, CopyReadCheckpoint checkpoint, CancellationToken ct)
    {
        await using var command = Command("""
            INSERT INTO bus.ingest_copy_reads AS c (ingest_id, path, role, etag, next_offset, sha256_state)
            VALUES (@id, @path, @role, @etag, @offset, @state)
            ON CONFLICT (ingest_id, path, role) DO UPDATE SET etag = excluded.etag, next_offset = excluded.next_offset,
                sha256_state = excluded.sha256_state, slices = c.slices + 1, updated_at = now()
            """, ingestId, path, role);
        command.Parameters.AddWithValue("etag", checkpoint.ETag);
        command.Parameters.AddWithValue("offset", checkpoint.Offset);
        command.Parameters.AddWithValue("state", checkpoint.Sha256State);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ClearAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command("DELETE FROM bus.ingest_copy_reads WHERE ingest_id = @id AND path = @path AND role = @role", ingestId, path, role);
        await command.ExecuteNonQueryAsync(ct);
    }

    private NpgsqlCommand Command(string sql, Guid ingestId, string path, string role)
    {
        var command = store.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", ingestId);
        command.Parameters.AddWithValue("path", path);
        command.Parameters.AddWithValue("role", role);
        return command;
    }
}
