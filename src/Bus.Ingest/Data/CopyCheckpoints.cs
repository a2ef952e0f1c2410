using Npgsql;

namespace Bus.Ingest.Data;

/// <summary>Where a sliced read of a copy stopped: next byte, the version read (ETag) and the sha256 state.</summary>
public sealed record CopyReadCheckpoint(long Offset, string ETag, byte[] Sha256State);

/// <summary>An open multipart copy: its upload id, part size, and the ETags of parts 1..n copied so far.</summary>
public sealed record CopyUploadCheckpoint(string UploadId, long PartBytes, IReadOnlyList<string> PartETags);

/// <summary>
/// Checkpoints inside one large file, per copy (path and role), each committed on its own: Verify's
/// reads (bus.ingest_copy_reads) and Store's multipart copies (bus.ingest_copy_uploads).
/// </summary>
public sealed class CopyCheckpoints(InterimStore store)
{
    private const string Reads = "bus.ingest_copy_reads";
    private const string Uploads = "bus.ingest_copy_uploads";

    public async Task<CopyReadCheckpoint?> LoadReadAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command($"SELECT next_offset, etag, sha256_state FROM {Reads} {Where}", ingestId, path, role);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CopyReadCheckpoint(r.GetInt64(0), r.GetString(1), (byte[])r[2]) : null;
    }

    public async Task SaveReadAsync(Guid ingestId, string path, string role, CopyReadCheckpoint checkpoint, CancellationToken ct)
    {
        await using var command = Command($"""
            INSERT INTO {Reads} AS c (ingest_id, path, role, etag, next_offset, sha256_state) VALUES (@id, @path, @role, @etag, @offset, @state)
            ON CONFLICT (ingest_id, path, role) DO UPDATE SET etag = excluded.etag, next_offset = excluded.next_offset,
                sha256_state = excluded.sha256_state, slices = c.slices + 1, updated_at = now()
            """, ingestId, path, role);
        command.Parameters.AddWithValue("etag", checkpoint.ETag);
        command.Parameters.AddWithValue("offset", checkpoint.Offset);
        command.Parameters.AddWithValue("state", checkpoint.Sha256State);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task ClearReadAsync(Guid ingestId, string path, string role, CancellationToken ct) => ClearAsync(Reads, ingestId, path, role, ct);

    public async Task<CopyUploadCheckpoint?> LoadUploadAsync(Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command($"SELECT upload_id, part_bytes, part_etags FROM {Uploads} {Where}", ingestId, path, role);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CopyUploadCheckpoint(r.GetString(0), r.GetInt64(1), r.GetFieldValue<string[]>(2)) : null;
    }

    public async Task SaveUploadAsync(Guid ingestId, string path, string role, CopyUploadCheckpoint checkpoint, CancellationToken ct)
    {
        await using var command = Command($"""
            INSERT INTO {Uploads} AS c (ingest_id, path, role, upload_id, part_bytes, part_etags) VALUES (@id, @path, @role, @upload, @part_bytes, @etags)
            ON CONFLICT (ingest_id, path, role) DO UPDATE SET upload_id = excluded.upload_id, part_bytes = excluded.part_bytes,
                part_etags = excluded.part_etags, slices = c.slices + 1, updated_at = now()
            """, ingestId, path, role);
        command.Parameters.AddWithValue("upload", checkpoint.UploadId);
        command.Parameters.AddWithValue("part_bytes", checkpoint.PartBytes);
        command.Parameters.AddWithValue("etags", checkpoint.PartETags.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task ClearUploadAsync(Guid ingestId, string path, string role, CancellationToken ct) => ClearAsync(Uploads, ingestId, path, role, ct);

    /// <summary>Every multipart copy an ingest left open (for compensation to abort), as (role, path, upload id).</summary>
    public async Task<IReadOnlyList<(string Role, string Path, string UploadId)>> OpenUploadsAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = store.DataSource.CreateCommand($"SELECT role, path, upload_id FROM {Uploads} WHERE ingest_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        var open = new List<(string, string, string)>();
        while (await r.ReadAsync(ct)) open.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        return open;
    }

    private const string Where = "WHERE ingest_id = @id AND path = @path AND role = @role";

    private async Task ClearAsync(string table, Guid ingestId, string path, string role, CancellationToken ct)
    {
        await using var command = Command($"DELETE FROM {table} {Where}", ingestId, path, role);
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
