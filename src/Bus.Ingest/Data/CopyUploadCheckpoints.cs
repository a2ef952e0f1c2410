using Npgsql;

namespace Bus.Ingest.Data;

/// <summary>An open multipart copy: its upload id, part size, and the ETags of parts 1..n copied so far.</summary>
public sealed record CopyUploadCheckpoint(string UploadId, long PartBytes, IReadOnlyList<string> PartETags);

/// <summary>Store's per-copy multipart checkpoints (bus.ingest_copy_uploads), each committed on its own.</summary>
public sealed class CopyUploadCheckpoints(InterimStore store)
{
    public async Task<CopyUploadCheckpoint?> LoadAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command("SELECT upload_id, part_bytes, part_etags FROM bus.ingest_copy_uploads WHERE ingest_id = @id AND path = @path AND role = @role",
            ingestId, path, role);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CopyUploadCheckpoint(r.GetString(0), r.GetInt64(1), r.GetFieldValue<string[]>(2)) : null;
    }

    public async Task SaveAsync(Guid ingestId, string path, string role, CopyUploadCheckpoint checkpoint, CancellationToken ct)
    {
        await using var command = Command("""
            INSERT INTO bus.ingest_copy_uploads AS c (ingest_id, path, role, upload_id, part_bytes, part_etags)
            VALUES (@id, @path, @role, @upload, @part_bytes, @etags)
            ON CONFLICT (ingest_id, path, role) DO UPDATE SET upload_id = excluded.upload_id, part_bytes = excluded.part_bytes,
                part_etags = excluded.part_etags, slices = c.slices + 1, updated_at = now()
            """, ingestId, path, role);
        command.Parameters.AddWithValue("upload", checkpoint.UploadId);
        command.Parameters.AddWithValue("part_bytes", checkpoint.PartBytes);
        command.Parameters.AddWithValue("etags", checkpoint.PartETags.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ClearAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command("DELETE FROM bus.ingest_copy_uploads WHERE ingest_id = @id AND path = @path AND role = @role", ingestId, path, role);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every upload an ingest left open (for compensation to abort), as (role, path, upload id).</summary>
    public async Task<IReadOnlyList<(string Role, string Path, string UploadId)>> OpenAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = store.DataSource.CreateCommand("SELECT role, path, upload_id FROM bus.ingest_copy_uploads WHERE ingest_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        var open = new List<(string, string, string)>();
        while (await r.ReadAsync(ct)) open.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        return open;
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
