using Bus.Registry.Model;
using NpgsqlTypes;

namespace Bus.Registry.Store;

// What ingest's Record step writes: the object, its files, their checksums, copies and PREMIS events.
public sealed partial class RegistryStore
{
    /// <summary>
    /// Creates the object or updates its descriptive fields (reingest). A tombstoned object that is
    /// ingested again becomes active again; its old events stay. The institution must exist.
    /// </summary>
    public async Task<ObjectRow> UpsertObjectAsync(ObjectRecord record, CancellationToken cancellationToken = default)
    {
        Identifiers.Parse(record.Identifier);
        if (!Access.All.Contains(record.Access))
            throw new ArgumentException($"unknown access '{record.Access}': expected one of {string.Join(", ", Access.All)}", nameof(record));
        // (xmax = 0) is true only for a freshly inserted row: tells the caller whether it created the object.
        await using var command = Command($"""
            INSERT INTO {S}.intellectual_objects AS o
                (identifier, institution, bag_name, title, description, access, storage_option, bagit_profile, last_ingest_id)
            VALUES (@identifier, @institution, @bag, @title, @description, @access, @storage, @profile, @ingest)
            ON CONFLICT (identifier) DO UPDATE SET
                title = excluded.title, description = excluded.description, access = excluded.access,
                storage_option = excluded.storage_option, bagit_profile = excluded.bagit_profile,
                last_ingest_id = excluded.last_ingest_id, state = 'active', deleted_at = NULL,
                updated_at = CASE WHEN (o.title, o.description, o.access, o.storage_option, o.bagit_profile, o.last_ingest_id, o.state)
                    IS DISTINCT FROM (excluded.title, excluded.description, excluded.access, excluded.storage_option,
                                      excluded.bagit_profile, excluded.last_ingest_id, 'active')
                    THEN now() ELSE o.updated_at END
            RETURNING id, identifier, institution, state, (xmax = 0)
            """);
        command.Parameters.AddWithValue("identifier", record.Identifier);
        command.Parameters.AddWithValue("institution", record.Institution);
        command.Parameters.AddWithValue("bag", record.BagName);
        command.Parameters.AddWithValue("title", record.Title);
        command.Parameters.AddWithValue("description", NpgsqlDbType.Text, (object?)record.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("access", record.Access);
        command.Parameters.AddWithValue("storage", record.StorageOption);
        command.Parameters.AddWithValue("profile", NpgsqlDbType.Text, (object?)record.BagitProfile ?? DBNull.Value);
        command.Parameters.AddWithValue("ingest", NpgsqlDbType.Uuid, (object?)record.IngestId ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ObjectRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4));
    }

    public async Task<ObjectRow?> FindObjectAsync(string identifier, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"SELECT id, identifier, institution, state, storage_option FROM {S}.intellectual_objects WHERE identifier = @identifier");
        command.Parameters.AddWithValue("identifier", identifier);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ObjectRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), false, reader.GetString(4))
            : null;
    }

    /// <summary>
    /// Inserts files by UUID, or updates size/format of existing ones (reingest keeps the UUID). A
    /// retry with the same values changes nothing (updated_at included). A different UUID for an
    /// identifier already registered fails with 23505: reingest must reuse <see cref="ExistingFile.Id"/>.
    /// </summary>
    public async Task<int> UpsertFilesAsync(long objectId, IReadOnlyCollection<FileRecord> files, CancellationToken cancellationToken = default)
    {
        foreach (var f in files)
            if (!Identifiers.Parse(f.Identifier).IsFile) throw new ArgumentException($"'{f.Identifier}' is an object identifier, not a file identifier", nameof(files));
        var changed = 0;
        foreach (var batch in Batches(files))
        {
            await using var command = Command($"""
                INSERT INTO {S}.generic_files AS f (id, identifier, object_id, size, format, format_method)
                SELECT u.id, u.identifier, @object_id, u.size, u.format, u.format_method
                FROM unnest(@ids, @identifiers, @sizes, @formats, @methods) AS u (id, identifier, size, format, format_method)
                ON CONFLICT (id) DO UPDATE SET
                    size = excluded.size, format = excluded.format, format_method = excluded.format_method,
                    state = 'active', deleted_at = NULL, updated_at = now()
                WHERE (f.size, f.format, f.format_method, f.state) IS DISTINCT FROM (excluded.size, excluded.format, excluded.format_method, 'active')
                """);
            command.Parameters.AddWithValue("object_id", objectId);
            command.Parameters.Add(Array("ids", batch.Select(f => f.Id), NpgsqlDbType.Uuid));
            command.Parameters.Add(Array("identifiers", batch.Select(f => f.Identifier), NpgsqlDbType.Text));
            command.Parameters.Add(Array("sizes", batch.Select(f => f.Size), NpgsqlDbType.Bigint));
            command.Parameters.Add(Array("formats", batch.Select(f => f.Format), NpgsqlDbType.Text));
            command.Parameters.Add(Array("methods", batch.Select(f => f.FormatMethod), NpgsqlDbType.Text));
            changed += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return changed;
    }

    /// <summary>Adds checksums; ones already recorded (same file, algorithm, digest, source) are skipped. Returns rows added.</summary>
    public async Task<int> AddChecksumsAsync(IReadOnlyCollection<ChecksumRecord> checksums, CancellationToken cancellationToken = default)
    {
        foreach (var c in checksums)
            if (!DigestAlgorithms.All.Contains(c.Algorithm)) throw new ArgumentException($"unknown digest algorithm '{c.Algorithm}'", nameof(checksums));
        var added = 0;
        foreach (var batch in Batches(checksums))
        {
            await using var command = Command($"""
                INSERT INTO {S}.checksums (file_id, algorithm, digest, date_time, source)
                SELECT * FROM unnest(@files, @algorithms, @digests, @times, @sources)
                ON CONFLICT (file_id, algorithm, digest, source) DO NOTHING
                """);
            command.Parameters.Add(Array("files", batch.Select(c => c.FileId), NpgsqlDbType.Uuid));
            command.Parameters.Add(Array("algorithms", batch.Select(c => c.Algorithm), NpgsqlDbType.Text));
            command.Parameters.Add(Array("digests", batch.Select(c => c.Digest.ToLowerInvariant()), NpgsqlDbType.Text));
            command.Parameters.Add(Array("times", batch.Select(c => Utc(c.DateTime)), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Array("sources", batch.Select(c => c.Source), NpgsqlDbType.Text));
            added += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return added;
    }

    /// <summary>Adds PREMIS events; an event id already present is skipped (a retried step). Returns rows added.</summary>
    public async Task<int> AddEventsAsync(IReadOnlyCollection<EventRecord> events, CancellationToken cancellationToken = default)
    {
        var added = 0;
        foreach (var batch in Batches(events))
        {
            await using var command = Command($"""
                INSERT INTO {S}.premis_events (id, object_id, file_id, identifier, event_type, date_time, outcome, detail, outcome_detail, agent)
                SELECT * FROM unnest(@ids, @objects, @files, @identifiers, @types, @times, @outcomes, @details, @outcome_details, @agents)
                ON CONFLICT (id) DO NOTHING
                """);
            command.Parameters.Add(Array("ids", batch.Select(e => e.Id), NpgsqlDbType.Uuid));
            command.Parameters.Add(Array("objects", batch.Select(e => e.ObjectId), NpgsqlDbType.Bigint));
            command.Parameters.Add(Array("files", batch.Select(e => e.FileId), NpgsqlDbType.Uuid));
            command.Parameters.Add(Array("identifiers", batch.Select(e => e.Identifier), NpgsqlDbType.Text));
            command.Parameters.Add(Array("types", batch.Select(e => e.EventType), NpgsqlDbType.Text));
            command.Parameters.Add(Array("times", batch.Select(e => Utc(e.DateTime)), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Array("outcomes", batch.Select(e => e.Outcome), NpgsqlDbType.Text));
            command.Parameters.Add(Array("details", batch.Select(e => e.Detail), NpgsqlDbType.Text));
            command.Parameters.Add(Array("outcome_details", batch.Select(e => e.OutcomeDetail), NpgsqlDbType.Text));
            command.Parameters.Add(Array("agents", batch.Select(e => e.Agent), NpgsqlDbType.Text));
            added += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return added;
    }

    /// <summary>
    /// Records copies (one per file and bucket). A copy stored again (reingest of changed content: a
    /// new stored_at) starts a new fixity clock; a verified time is never cleared by a later write without one.
    /// Returns the rows inserted or changed (0 for a retry of the same copies).
    /// </summary>
    public async Task<int> RecordCopiesAsync(IReadOnlyCollection<StorageCopy> copies, CancellationToken cancellationToken = default)
    {
        var written = 0;
        foreach (var batch in Batches(copies))
        {
            await using var command = Command($"""
                INSERT INTO {S}.storage_records AS s (file_id, bucket, key, etag, storage_option, stored_at, verified_at,
                                                     storage_class, tier, copy_name, region, checksum_sha256)
                SELECT * FROM unnest(@files, @buckets, @keys, @etags, @options, @stored, @verified, @classes, @tiers, @names, @regions, @checksums)
                ON CONFLICT (file_id, bucket) DO UPDATE SET
                    key = excluded.key, etag = excluded.etag, storage_option = excluded.storage_option,
                    stored_at = excluded.stored_at,
                    verified_at = CASE WHEN s.stored_at IS DISTINCT FROM excluded.stored_at THEN excluded.verified_at
                                       ELSE coalesce(excluded.verified_at, s.verified_at) END,
                    last_fixity_at = CASE WHEN s.stored_at IS DISTINCT FROM excluded.stored_at THEN NULL ELSE s.last_fixity_at END,
                    last_fixity_outcome = CASE WHEN s.stored_at IS DISTINCT FROM excluded.stored_at THEN NULL ELSE s.last_fixity_outcome END,
                    storage_class = excluded.storage_class, tier = excluded.tier, copy_name = excluded.copy_name, region = excluded.region,
                    checksum_sha256 = CASE WHEN s.stored_at IS DISTINCT FROM excluded.stored_at THEN excluded.checksum_sha256
                                           ELSE coalesce(excluded.checksum_sha256, s.checksum_sha256) END,
                    state = 'active', deleted_at = NULL
                -- A retry with nothing new writes no row versions (cheap, and the count says so).
                WHERE (s.key, s.etag, s.storage_option, s.stored_at, s.state, s.storage_class, s.tier, s.copy_name, s.region) IS DISTINCT FROM
                      (excluded.key, excluded.etag, excluded.storage_option, excluded.stored_at, 'active',
                       excluded.storage_class, excluded.tier, excluded.copy_name, excluded.region)
                   OR (excluded.verified_at IS NOT NULL AND excluded.verified_at IS DISTINCT FROM s.verified_at)
                   OR (excluded.checksum_sha256 IS NOT NULL AND excluded.checksum_sha256 IS DISTINCT FROM s.checksum_sha256)
                """);
            command.Parameters.Add(Array("files", batch.Select(c => c.FileId), NpgsqlDbType.Uuid));
            command.Parameters.Add(Array("buckets", batch.Select(c => c.Bucket), NpgsqlDbType.Text));
            command.Parameters.Add(Array("keys", batch.Select(c => c.Key), NpgsqlDbType.Text));
            command.Parameters.Add(Array("etags", batch.Select(c => c.Etag), NpgsqlDbType.Text));
            command.Parameters.Add(Array("options", batch.Select(c => c.StorageOption), NpgsqlDbType.Text));
            command.Parameters.Add(Array("stored", batch.Select(c => Utc(c.StoredAt)), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Array("verified", batch.Select(c => Utc(c.VerifiedAt)), NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Array("classes", batch.Select(c => c.StorageClass), NpgsqlDbType.Text));
            command.Parameters.Add(Array("tiers", batch.Select(c => c.Tier), NpgsqlDbType.Text));
            command.Parameters.Add(Array("names", batch.Select(c => c.CopyName), NpgsqlDbType.Text));
            command.Parameters.Add(Array("regions", batch.Select(c => c.Region), NpgsqlDbType.Text));
            command.Parameters.Add(Array("checksums", batch.Select(c => c.ChecksumSha256), NpgsqlDbType.Text));
            written += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return written;
    }

    /// <summary>
    /// Sets a copy's verified time (storage validation, or a repaired copy re-checked), and the S3 checksum it was
    /// verified by when given (a repaired cold copy: its new checksum replaces the one recorded).
    /// </summary>
    public async Task<bool> MarkVerifiedAsync(Guid fileId, string bucket, DateTimeOffset verifiedAt, string? checksumSha256 = null,
        CancellationToken cancellationToken = default)
    {
        await using var command = Command($"UPDATE {S}.storage_records SET verified_at = @at, checksum_sha256 = coalesce(@checksum, checksum_sha256) WHERE file_id = @file AND bucket = @bucket");
        command.Parameters.AddWithValue("at", Utc(verifiedAt));
        command.Parameters.AddWithValue("checksum", NpgsqlDbType.Text, (object?)checksumSha256 ?? DBNull.Value);
        command.Parameters.AddWithValue("file", fileId);
        command.Parameters.AddWithValue("bucket", bucket);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Every file registered for the object, keyed by its path inside the bag (<c>data/x</c>), with the
    /// latest sha256 computed at ingest. Reingest keeps each path's <see cref="ExistingFile.Id"/> and
    /// stores only files whose sha256 changed. Tombstoned files are included (see State).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ExistingFile>> GetFilesByPathAsync(string objectIdentifier, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT f.id, f.identifier, f.size, f.state,
                   (SELECT c.digest FROM {S}.checksums c
                    WHERE c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest'
                    ORDER BY c.date_time DESC, c.id DESC LIMIT 1)
            FROM {S}.generic_files f JOIN {S}.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @identifier
            """);
        command.Parameters.AddWithValue("identifier", objectIdentifier);
        var prefix = objectIdentifier.Length + 1;
        var files = new Dictionary<string, ExistingFile>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var identifier = reader.GetString(1);
            var path = identifier[prefix..];
            files[path] = new ExistingFile(reader.GetGuid(0), identifier, path, reader.GetInt64(2), reader.GetString(3), NullableString(reader, 4));
        }
        return files;
    }

    /// <summary>The copies of a file, or of every file of an object (fixity --object, deletion), tombstoned ones included.</summary>
    public Task<IReadOnlyList<CopyRow>> ListCopiesAsync(string identifier, CancellationToken cancellationToken = default) =>
        Identifiers.Parse(identifier).IsFile
            ? CopiesAsync("f.identifier = @p", identifier, cancellationToken)
            : CopiesAsync("o.identifier = @p", identifier, cancellationToken);

    /// <summary>One copy by storage record id (what the sweep returns), or null.</summary>
    public async Task<CopyRow?> FindCopyAsync(long storageRecordId, CancellationToken cancellationToken = default) =>
        (await CopiesAsync("s.id = @p", storageRecordId, cancellationToken)).SingleOrDefault();

    /// <summary>Every copy of one file (repair looks for another copy that verifies).</summary>
    public Task<IReadOnlyList<CopyRow>> ListCopiesOfFileAsync(Guid fileId, CancellationToken cancellationToken = default) =>
        CopiesAsync("s.file_id = @p", fileId, cancellationToken);

    private async Task<IReadOnlyList<CopyRow>> CopiesAsync(string where, object parameter, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            SELECT s.id, s.file_id, f.object_id, f.identifier, s.bucket, s.key, s.etag, s.storage_option, s.stored_at, s.verified_at,
                   s.last_fixity_at, s.last_fixity_outcome, s.state, s.storage_class, s.tier, s.copy_name, s.region, s.checksum_sha256
            FROM {S}.storage_records s
            JOIN {S}.generic_files f ON f.id = s.file_id
            JOIN {S}.intellectual_objects o ON o.id = f.object_id
            WHERE {where}
            ORDER BY f.identifier, s.bucket
            """);
        command.Parameters.AddWithValue("p", parameter);
        var rows = new List<CopyRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new CopyRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                NullableString(reader, 6), reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8), NullableTime(reader, 9),
                NullableTime(reader, 10), NullableString(reader, 11), reader.GetString(12), reader.GetString(13), reader.GetString(14),
                NullableString(reader, 15), NullableString(reader, 16), NullableString(reader, 17)));
        return rows;
    }

    public async Task<FileRow?> FindFileAsync(string fileIdentifier, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT f.id, f.identifier, f.object_id, o.identifier, o.institution, f.size, f.state
            FROM {S}.generic_files f JOIN {S}.intellectual_objects o ON o.id = f.object_id
            WHERE f.identifier = @identifier
            """);
        command.Parameters.AddWithValue("identifier", fileIdentifier);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new FileRow(reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5), reader.GetString(6))
            : null;
    }

    /// <summary>The file's latest digest per algorithm computed at ingest (what fixity compares against).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetIngestDigestsAsync(Guid fileId, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT DISTINCT ON (algorithm) algorithm, digest FROM {S}.checksums
            WHERE file_id = @file AND source = 'ingest'
            ORDER BY algorithm, date_time DESC, id DESC
            """);
        command.Parameters.AddWithValue("file", fileId);
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) digests[reader.GetString(0)] = reader.GetString(1);
        return digests;
    }
}
