using Bus.Registry.Store;

namespace Bus.Ingest.Data;

/// <summary>
/// Which of some preservation keys the registry records (a storage record in any state). Cleanup and
/// compensation delete only keys the registry does not point at, so neither can remove a copy that a
/// committed Record (this ingest's or an earlier one's) relies on, whatever order crashes left things in.
/// </summary>
public sealed class RecordedCopies(RegistryDatabase registry)
{
    /// <summary>The copies (of the given files) no storage record points at; looked up by (file, bucket), the records' unique key.</summary>
    public async Task<IReadOnlyList<(Guid FileId, string Bucket, string Key)>> UnrecordedAsync(
        IReadOnlyCollection<(Guid FileId, string Bucket, string Key)> copies, CancellationToken ct)
    {
        if (copies.Count == 0) return [];
        await using var command = registry.DataSource.CreateCommand("""
            SELECT u.file_id, u.bucket, u.key FROM unnest(@files, @buckets, @keys) AS u (file_id, bucket, key)
            WHERE NOT EXISTS (SELECT 1 FROM registry.storage_records s WHERE s.file_id = u.file_id AND s.bucket = u.bucket AND s.key = u.key)
            """);
        command.Parameters.AddWithValue("files", copies.Select(c => c.FileId).ToArray());
        command.Parameters.AddWithValue("buckets", copies.Select(c => c.Bucket).ToArray());
        command.Parameters.AddWithValue("keys", copies.Select(c => c.Key).ToArray());
        await using var r = await command.ExecuteReaderAsync(ct);
        var unrecorded = new List<(Guid, string, string)>();
        while (await r.ReadAsync(ct)) unrecorded.Add((r.GetGuid(0), r.GetString(1), r.GetString(2)));
        return unrecorded;
    }
}
