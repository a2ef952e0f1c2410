namespace Bus.Registry.Store;

// What ingest asks before it calls an object preserved: which files already have every copy they
// need, whether the object changed after an ingest, and (at Record) whether every active file now
// has a verified copy in each required bucket.
public sealed partial class RegistryStore
{
    /// <summary>
    /// What a reingest needs of each registered file of the object, by path inside the bag: its UUID (kept),
    /// the latest sha256 computed at ingest, and whether it is still preserved: active, with an active,
    /// verified copy in every one of <paramref name="buckets"/>. A file that is not (deleted, or a copy
    /// missing) must be stored again even when its sha256 is unchanged. One query.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PreservedFile>> GetPreservedFilesByPathAsync(string objectIdentifier, IReadOnlyCollection<string> buckets,
        CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT f.identifier, f.id,
                   (SELECT c.digest FROM {S}.checksums c
                    WHERE c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest'
                    ORDER BY c.date_time DESC, c.id DESC LIMIT 1),
                   f.state = 'active' AND (SELECT count(DISTINCT s.bucket) FROM {S}.storage_records s
                                           WHERE s.file_id = f.id AND s.state = 'active' AND s.verified_at IS NOT NULL
                                             AND s.bucket = ANY(@buckets)) = cardinality(@buckets)
            FROM {S}.generic_files f JOIN {S}.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @identifier
            """);
        command.Parameters.AddWithValue("identifier", objectIdentifier);
        command.Parameters.AddWithValue("buckets", buckets.Distinct(StringComparer.Ordinal).ToArray());
        var prefix = objectIdentifier.Length + 1;
        var files = new Dictionary<string, PreservedFile>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            files[reader.GetString(0)[prefix..]] = new PreservedFile(reader.GetGuid(1), NullableString(reader, 2), reader.GetBoolean(3));
        return files;
    }

    /// <summary>
    /// True when the object was deleted, reingested by another ingest, or lost a file to a deletion
    /// after <paramref name="since"/>: a later submission of <paramref name="ingestId"/>'s upload then
    /// has something to preserve and is a new ingest. False when the object is not registered.
    /// </summary>
    public async Task<bool> ObjectChangedSinceIngestAsync(string objectIdentifier, Guid ingestId, DateTimeOffset since,
        CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT o.state <> 'active' OR o.last_ingest_id IS DISTINCT FROM @ingest
                OR EXISTS (SELECT 1 FROM {S}.generic_files f WHERE f.object_id = o.id AND f.state <> 'active' AND f.deleted_at > @since)
            FROM {S}.intellectual_objects o WHERE o.identifier = @identifier
            """);
        command.Parameters.AddWithValue("identifier", objectIdentifier);
        command.Parameters.AddWithValue("ingest", ingestId);
        command.Parameters.AddWithValue("since", Utc(since));
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// Identifiers (at most <paramref name="limit"/>) of the object's active files that lack an active,
    /// verified copy in one of <paramref name="buckets"/>. Empty means the object is whole.
    /// </summary>
    public async Task<IReadOnlyList<string>> FilesMissingCopiesAsync(long objectId, IReadOnlyCollection<string> buckets, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT f.identifier FROM {S}.generic_files f
            WHERE f.object_id = @object AND f.state = 'active'
              AND (SELECT count(DISTINCT s.bucket) FROM {S}.storage_records s
                   WHERE s.file_id = f.id AND s.state = 'active' AND s.verified_at IS NOT NULL AND s.bucket = ANY(@buckets)) < cardinality(@buckets)
            ORDER BY f.identifier LIMIT @limit
            """);
        command.Parameters.AddWithValue("object", objectId);
        command.Parameters.AddWithValue("buckets", buckets.Distinct(StringComparer.Ordinal).ToArray());
        command.Parameters.AddWithValue("limit", limit);
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) missing.Add(reader.GetString(0));
        return missing;
    }
}
