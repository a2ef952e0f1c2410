using Bus.Workflows.Copies;
using Npgsql;

namespace Bus.Ingest.Data;

/// <summary>
/// Store's multipart copies inside one large file, per copy (path and role), each committed on its own
/// (bus.ingest_copy_uploads). Verify's reads keep theirs in the copy kit's one store (<see cref="Bus.Workflows.Copies.Data.ICopyReadSlices"/>).
/// </summary>
public sealed class CopyCheckpoints(InterimStore store)
{
    private const string Uploads = "bus.ingest_copy_uploads";

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
