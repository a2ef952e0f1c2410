using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Bus.Registry.Store;
using Npgsql;
using NpgsqlTypes;

namespace Bus.Ingest.Data;

/// <summary>
/// Reads and writes ingest's interim rows. Unpack's files go in with one binary COPY; later steps
/// update per file as each piece of work is done, so a retry or continuation starts after it.
/// </summary>
public sealed class InterimStore(NpgsqlDataSource dataSource)
{
    /// <summary>The process's shared data source (<see cref="Bus.Platform.Database.BusDataSource"/>).</summary>
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>
    /// Begins one Unpack slice of the ingest: null when another process is unpacking it right now
    /// (its message carries the work on). See <see cref="UnpackSlice"/>.
    /// </summary>
    public Task<UnpackSlice?> BeginUnpackSliceAsync(Guid ingestId, string etag, CancellationToken ct) => UnpackSlice.TryBeginAsync(DataSource, ingestId, etag, ct);

    /// <summary>Adds file rows with one binary COPY (Unpack: 100,000 files cost seconds, not minutes).</summary>
    internal static async Task CopyFilesAsync(NpgsqlConnection connection, Guid ingestId, IEnumerable<InterimFile> files, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY bus.ingest_files (ingest_id, path, file_id, size, md5, sha1, sha256, sha512, staging_key, is_payload, format, format_method) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var f in files)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(ingestId, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(f.Path, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.FileId, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(f.Size, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(f.Md5, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.Sha1, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.Sha256, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.Sha512, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.StagingKey, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.IsPayload, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(f.Format, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(f.FormatMethod, NpgsqlDbType.Text, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>The bag row Unpack leaves for Validate and Record.</summary>
    internal static async Task UpsertUnpackedBagAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid ingestId, string institution, UnpackedBag bag,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO bus.ingest_bags (ingest_id, institution, bag_name, problems, manifest_algorithms, title, description, access,
                                         storage_option, bagit_profile, unpacked_at)
            VALUES (@id, @institution, @bag, @problems::jsonb, @algorithms, @title, @description, @access, @storage, @profile, now())
            ON CONFLICT (ingest_id) DO UPDATE SET bag_name = excluded.bag_name, problems = excluded.problems,
                manifest_algorithms = excluded.manifest_algorithms, title = excluded.title, description = excluded.description,
                access = excluded.access, storage_option = excluded.storage_option, bagit_profile = excluded.bagit_profile, unpacked_at = now()
            """, connection, tx);
        command.Parameters.AddWithValue("id", ingestId);
        command.Parameters.AddWithValue("institution", institution);
        command.Parameters.AddWithValue("bag", bag.BagName);
        command.Parameters.AddWithValue("problems", bag.Problems);
        command.Parameters.AddWithValue("algorithms", bag.ManifestAlgorithms.ToArray());
        command.Parameters.AddWithValue("title", NpgsqlDbType.Text, (object?)bag.Title ?? DBNull.Value);
        command.Parameters.AddWithValue("description", NpgsqlDbType.Text, (object?)bag.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("access", NpgsqlDbType.Text, (object?)bag.Access ?? DBNull.Value);
        command.Parameters.AddWithValue("storage", NpgsqlDbType.Text, (object?)bag.StorageOption ?? DBNull.Value);
        command.Parameters.AddWithValue("profile", NpgsqlDbType.Text, (object?)bag.BagitProfile ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<InterimBag?> FindBagAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("""
            SELECT ingest_id, institution, bag_name, object_identifier, title, description, access, storage_option, bagit_profile,
                   manifest_algorithms, reingest, problems::text, cancelled_at
            FROM bus.ingest_bags WHERE ingest_id = @id
            """);
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new InterimBag(r.GetGuid(0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8),
            r.GetFieldValue<string[]>(9), r.GetBoolean(10), r.GetString(11), r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12));
    }

    /// <summary>
    /// Validate's outcome: the bag's descriptive tags and which files a reingest must store. On
    /// <paramref name="transaction"/> (the step's message transaction) when given, so it commits with the
    /// step's BagValidated; else in a transaction of its own.
    /// </summary>
    public async Task SaveValidatedAsync(InterimBag bag, IReadOnlyDictionary<string, PreservedFile> registered, CancellationToken ct,
        NpgsqlTransaction? transaction = null)
    {
        if (transaction is null)
        {
            await using var own = await DataSource.OpenConnectionAsync(ct);
            await using var ownTransaction = await own.BeginTransactionAsync(ct);
            await SaveValidatedAsync(bag, registered, ct, ownTransaction);
            await ownTransaction.CommitAsync(ct);
            return;
        }
        var connection = transaction.Connection!;
        var tx = transaction;
        await using (var command = new NpgsqlCommand("""
            UPDATE bus.ingest_bags SET object_identifier = @object, title = @title, description = @description, access = @access,
                storage_option = @storage, bagit_profile = @profile, manifest_algorithms = @algorithms, reingest = @reingest
            WHERE ingest_id = @id
            """, connection, tx))
        {
            command.Parameters.AddWithValue("id", bag.IngestId);
            command.Parameters.AddWithValue("object", bag.ObjectIdentifier ?? "");
            command.Parameters.AddWithValue("title", NpgsqlDbType.Text, (object?)bag.Title ?? DBNull.Value);
            command.Parameters.AddWithValue("description", NpgsqlDbType.Text, (object?)bag.Description ?? DBNull.Value);
            command.Parameters.AddWithValue("access", NpgsqlDbType.Text, (object?)bag.Access ?? DBNull.Value);
            command.Parameters.AddWithValue("storage", NpgsqlDbType.Text, (object?)bag.StorageOption ?? DBNull.Value);
            command.Parameters.AddWithValue("profile", NpgsqlDbType.Text, (object?)bag.BagitProfile ?? DBNull.Value);
            command.Parameters.AddWithValue("algorithms", bag.ManifestAlgorithms.ToArray());
            command.Parameters.AddWithValue("reingest", bag.Reingest);
            await command.ExecuteNonQueryAsync(ct);
        }
        if (registered.Count > 0)
        {
            // Reingest: a registered path keeps its file UUID; an unchanged sha256 is not stored again
            // unless the file is no longer preserved (deleted, or a copy missing).
            await using var command = new NpgsqlCommand("""
                UPDATE bus.ingest_files f SET file_id = u.file_id, store_needed = (f.sha256 <> u.sha256 OR NOT u.preserved)
                FROM unnest(@paths, @ids, @digests, @preserved) AS u (path, file_id, sha256, preserved)
                WHERE f.ingest_id = @id AND f.path = u.path
                """, connection, tx);
            command.Parameters.AddWithValue("id", bag.IngestId);
            command.Parameters.AddWithValue("paths", registered.Keys.ToArray());
            command.Parameters.AddWithValue("ids", registered.Values.Select(v => v.Id).ToArray());
            command.Parameters.AddWithValue("digests", registered.Values.Select(v => v.Sha256!).ToArray());
            command.Parameters.AddWithValue("preserved", registered.Values.Select(v => v.Preserved).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The ingest's files in <paramref name="files"/>, in path order.</summary>
    public async Task<List<InterimFileState>> FilesAsync(Guid ingestId, InterimFiles files, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        await using var command = Command($"""
            SELECT {FileColumns}
            FROM bus.ingest_files WHERE ingest_id = @id AND ({files.Where}) ORDER BY path
            """, transaction);
        command.Parameters.AddWithValue("id", ingestId);
        AddSize(command, files);
        return await ReadFilesAsync(command, ct);
    }

    /// <summary>
    /// The same files as <see cref="FilesAsync"/>, in path order, <paramref name="chunkSize"/> at a time
    /// (one keyset query per chunk on the primary key): a 100,000-file bag is never in memory at once.
    /// Keyset on the path, so a step may mark the rows it reads (Store, Verify, Identify): a row that
    /// leaves <paramref name="files"/> behind the cursor is simply not met again.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<InterimFileState>> FileChunksAsync(Guid ingestId, InterimFiles files, int chunkSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        string? after = null;
        while (true)
        {
            await using var command = DataSource.CreateCommand($"""
                SELECT {FileColumns}
                FROM bus.ingest_files WHERE ingest_id = @id AND (@after::text IS NULL OR path > @after) AND ({files.Where}) ORDER BY path LIMIT @limit
                """);
            command.Parameters.AddWithValue("id", ingestId);
            AddSize(command, files);
            command.Parameters.AddWithValue("after", NpgsqlDbType.Text, (object?)after ?? DBNull.Value);
            command.Parameters.AddWithValue("limit", chunkSize);
            var chunk = await ReadFilesAsync(command, ct);
            if (chunk.Count > 0) yield return chunk;
            if (chunk.Count < chunkSize) yield break;
            after = chunk[^1].Path;
        }
    }

    /// <summary>Which per-copy mark <see cref="CountCopiesAsync"/> counts.</summary>
    public enum CopyProgress { Stored, Verified }

    /// <summary>
    /// The files to store, and how many of their copies in <paramref name="slots"/> carry the <paramref name="progress"/>
    /// mark, in one query (Store's and Verify's progress start).
    /// </summary>
    public async Task<(int Files, int Done)> CountCopiesAsync(Guid ingestId, CopyProgress progress, IEnumerable<string> slots, CancellationToken ct)
    {
        var mark = progress == CopyProgress.Stored ? "stored_at" : "verified_at";
        var done = string.Join(" + ", slots.Select(s => $"count(*) FILTER (WHERE {Slot(s)}_{mark} IS NOT NULL)").DefaultIfEmpty("0"));
        await using var command = DataSource.CreateCommand($"SELECT count(*), {done} FROM bus.ingest_files WHERE ingest_id = @id AND store_needed");
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ((int)r.GetInt64(0), (int)r.GetInt64(1));
    }

    /// <summary>How many of the ingest's files are in <paramref name="files"/>, without reading them.</summary>
    public async Task<int> CountFilesAsync(Guid ingestId, InterimFiles files, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        await using var command = Command($"SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id AND ({files.Where})", transaction);
        command.Parameters.AddWithValue("id", ingestId);
        AddSize(command, files);
        return (int)(long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static void AddSize(NpgsqlCommand command, InterimFiles files)
    {
        if (files.Size is { } size) command.Parameters.AddWithValue("size", NpgsqlDbType.Bigint, size);
    }

    private const string FileColumns = """
        path, file_id, size, sha256, staging_key, is_payload, store_needed, format, primary_stored_at, replica_stored_at,
        primary_verified_at, replica_verified_at, recopies, recorded_at, md5, sha1, sha512, format_method, primary_etag, replica_etag,
        primary_checksum, replica_checksum
        """;

    private static async Task<List<InterimFileState>> ReadFilesAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var r = await command.ExecuteReaderAsync(ct);
        var files = new List<InterimFileState>();
        while (await r.ReadAsync(ct))
            files.Add(new InterimFileState(r.GetString(0), r.GetGuid(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetBoolean(6),
                Text(r, 7), Time(r, 8), Time(r, 9), Time(r, 10), Time(r, 11), r.GetInt32(12), Time(r, 13),
                r.GetString(14), r.GetString(15), r.GetString(16), Text(r, 17), Text(r, 18), Text(r, 19), Text(r, 20), Text(r, 21)));
        return files;
    }

    public async Task SetFormatsAsync(Guid ingestId, IReadOnlyList<(string Path, string Format, string Method)> formats, CancellationToken ct)
    {
        if (formats.Count == 0) return;
        await using var command = DataSource.CreateCommand("""
            UPDATE bus.ingest_files f SET format = u.format, format_method = u.method
            FROM unnest(@paths, @formats, @methods) AS u (path, format, method)
            WHERE f.ingest_id = @id AND f.path = u.path
            """);
        command.Parameters.AddWithValue("id", ingestId);
        command.Parameters.AddWithValue("paths", formats.Select(f => f.Path).ToArray());
        command.Parameters.AddWithValue("formats", formats.Select(f => f.Format).ToArray());
        command.Parameters.AddWithValue("methods", formats.Select(f => f.Method).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<(int Libmagic, int Extension)> FormatMethodCountsAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT count(*) FILTER (WHERE format_method = 'libmagic'), count(*) FILTER (WHERE format_method = 'extension') FROM bus.ingest_files WHERE ingest_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ((int)r.GetInt64(0), (int)r.GetInt64(1));
    }

    /// <summary>Marks one copy stored (slot "primary" or "replica"); a later attempt skips it.</summary>
    public Task MarkStoredAsync(Guid ingestId, string path, string role, string etag, CancellationToken ct) =>
        ExecuteAsync($"UPDATE bus.ingest_files SET {Slot(role)}_stored_at = now(), {role}_etag = @etag, {role}_verified_at = NULL, {role}_checksum = NULL WHERE ingest_id = @id AND path = @path",
            ingestId, path, ("etag", etag), ct);

    /// <summary>
    /// Marks many copies stored in one statement per slot (<see cref="CopyMarks"/>): the same columns as
    /// <see cref="MarkStoredAsync"/>, which a statement per copy made a commit per copy.
    /// </summary>
    public Task MarkStoredAsync(Guid ingestId, IReadOnlyList<CopyMark> marks, CancellationToken ct) =>
        MarkManyAsync(ingestId, marks, role =>
            $"{Slot(role)}_stored_at = now(), {role}_etag = u.value, {role}_verified_at = NULL, {role}_checksum = NULL", ct);

    /// <summary>Marks many copies verified in one statement per slot (<see cref="CopyMarks"/>), each with the SHA-256 checksum S3 reported when it was verified by it (cold copies).</summary>
    public Task MarkVerifiedAsync(Guid ingestId, IReadOnlyList<CopyMark> marks, CancellationToken ct) =>
        MarkManyAsync(ingestId, marks, role => $"{Slot(role)}_verified_at = now(), {role}_checksum = u.value", ct);

    /// <summary>
    /// One UPDATE ... FROM unnest per slot (UPDATE ... FROM applies one source row per target row, and a file
    /// has a mark per slot), all in one batch: one round trip, one commit.
    /// </summary>
    private async Task MarkManyAsync(Guid ingestId, IReadOnlyList<CopyMark> marks, Func<string, string> set, CancellationToken ct)
    {
        if (marks.Count == 0) return;
        await using var batch = DataSource.CreateBatch();
        foreach (var slot in marks.GroupBy(m => m.Slot))
        {
            var command = new NpgsqlBatchCommand($"""
                UPDATE bus.ingest_files f SET {set(slot.Key)}
                FROM unnest(@paths, @values) AS u (path, value)
                WHERE f.ingest_id = @id AND f.path = u.path
                """);
            command.Parameters.AddWithValue("id", ingestId);
            command.Parameters.AddWithValue("paths", slot.Select(m => m.Path).ToArray());
            command.Parameters.Add(new NpgsqlParameter("values", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = slot.Select(m => m.Value).ToArray() });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The slot names are column prefixes: never anything else.</summary>
    private static string Slot(string role) => role is "primary" or "replica" ? role : throw new ArgumentException($"unknown copy slot '{role}'", nameof(role));

    public Task CountRecopyAsync(Guid ingestId, string path, CancellationToken ct) =>
        ExecuteAsync("UPDATE bus.ingest_files SET recopies = recopies + 1 WHERE ingest_id = @id AND path = @path", ingestId, path, null, ct);

    public async Task<(string? Primary, string? Replica)> EtagsAsync(Guid ingestId, string path, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("SELECT primary_etag, replica_etag FROM bus.ingest_files WHERE ingest_id = @id AND path = @path");
        command.Parameters.AddWithValue("id", ingestId);
        command.Parameters.AddWithValue("path", path);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (Text(r, 0), Text(r, 1)) : (null, null);
    }

    public async Task<bool> IsCancelledAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("SELECT cancelled_at IS NOT NULL FROM bus.ingest_bags WHERE ingest_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Steps still in flight see this and stop; compensation then removes what they left.</summary>
    public async Task MarkEndedAsync(Guid ingestId, bool cancelled, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        await using var command = Command(
            "UPDATE bus.ingest_bags SET finished_at = coalesce(finished_at, now())" + (cancelled ? ", cancelled_at = coalesce(cancelled_at, now())" : "") + " WHERE ingest_id = @id",
            transaction);
        command.Parameters.AddWithValue("id", ingestId);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// On the caller's connection and transaction (Record's registry transaction): locks the bag row
    /// until that transaction ends and says whether the ingest is still running (not cancelled).
    /// </summary>
    public static async Task<bool> LockUnlessCancelledAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid ingestId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT cancelled_at IS NULL FROM bus.ingest_bags WHERE ingest_id = @id FOR UPDATE", connection, tx);
        command.Parameters.AddWithValue("id", ingestId);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Notes the recorded keys a reingest's new version replaces; a key noted earlier is kept (retries see the new keys).</summary>
    public async Task SaveSupersededAsync(Guid ingestId, IReadOnlyList<(string Path, string Role, string Key)> keys, CancellationToken ct)
    {
        foreach (var role in keys.Select(k => k.Role).Distinct())
        {
            // One statement per role: UPDATE ... FROM applies only one source row per target row.
            var mine = keys.Where(k => k.Role == role).ToList();
            await using var command = DataSource.CreateCommand($"""
                UPDATE bus.ingest_files f SET {role}_superseded_key = coalesce(f.{role}_superseded_key, u.key)
                FROM unnest(@paths, @keys) AS u (path, key)
                WHERE f.ingest_id = @id AND f.path = u.path
                """);
            command.Parameters.AddWithValue("id", ingestId);
            command.Parameters.AddWithValue("paths", mine.Select(k => k.Path).ToArray());
            command.Parameters.AddWithValue("keys", mine.Select(k => k.Key).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Keys of the previous version that this ingest's changed files replace (role = primary or replica).</summary>
    public async Task<List<(Guid FileId, string Role, string Key)>> SupersededKeysAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("""
            SELECT file_id, 'primary', primary_superseded_key FROM bus.ingest_files WHERE ingest_id = @id AND primary_superseded_key IS NOT NULL
            UNION ALL
            SELECT file_id, 'replica', replica_superseded_key FROM bus.ingest_files WHERE ingest_id = @id AND replica_superseded_key IS NOT NULL
            """);
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        var keys = new List<(Guid, string, string)>();
        while (await r.ReadAsync(ct)) keys.Add((r.GetGuid(0), r.GetString(1), r.GetString(2)));
        return keys;
    }

    public async Task MarkRecordedAsync(Guid ingestId, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        await using var command = Command("UPDATE bus.ingest_files SET recorded_at = coalesce(recorded_at, now()) WHERE ingest_id = @id", transaction);
        command.Parameters.AddWithValue("id", ingestId);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The upload this ingest was made from (bucket, key, ETag as submitted), with the saga's state and
    /// step, from the saga row: CleanUp deletes by these, never by what its message says.
    /// </summary>
    public async Task<IngestUpload?> FindUploadAsync(Guid ingestId, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT bucket, key, e_tag, current_state, current_step FROM bus.ingest_saga WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var r = await command.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new IngestUpload(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Text(r, 4)) : null;
    }

    /// <summary>Deletes interim rows of ingests that ended more than <paramref name="retentionDays"/> ago.</summary>
    public async Task<int> PurgeAsync(int retentionDays, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("""
            WITH old AS (DELETE FROM bus.ingest_bags WHERE finished_at < now() - make_interval(days => @days) RETURNING ingest_id),
                 checkpoints AS (DELETE FROM bus.ingest_unpack_checkpoints c USING old WHERE c.ingest_id = old.ingest_id),
                 -- An ingest rejected in a later Unpack slice has checkpointed rows but never got a bag row.
                 orphans AS (DELETE FROM bus.ingest_unpack_checkpoints c WHERE c.updated_at < now() - make_interval(days => @days)
                             AND NOT EXISTS (SELECT 1 FROM bus.ingest_bags b WHERE b.ingest_id = c.ingest_id) RETURNING ingest_id)
            DELETE FROM bus.ingest_files f WHERE f.ingest_id IN (SELECT ingest_id FROM old UNION ALL SELECT ingest_id FROM orphans)
            """);
        command.Parameters.AddWithValue("days", retentionDays);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private async Task ExecuteAsync(string sql, Guid ingestId, string path, (string Name, string? Value)? extra, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", ingestId);
        command.Parameters.AddWithValue("path", path);
        if (extra is { } e) command.Parameters.AddWithValue(e.Name, NpgsqlDbType.Text, (object?)e.Value ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>On the caller's transaction (a step's message transaction) when given, else on a pooled connection of its own.</summary>
    private NpgsqlCommand Command(string sql, NpgsqlTransaction? transaction) =>
        transaction is null ? DataSource.CreateCommand(sql) : new NpgsqlCommand(sql, transaction.Connection, transaction);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

}
