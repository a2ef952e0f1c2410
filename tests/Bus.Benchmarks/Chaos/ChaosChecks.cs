using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Benchmarks.Ingest;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.Benchmarks.Chaos;

/// <summary>
/// What must hold after the chaos, each check a line of the report and, when it fails, a loss: every ingest Completed,
/// every file of every bag recorded with exactly one copy per preservation bucket and every copy's bytes the bag's,
/// no object in a bucket that the registry does not record, each PREMIS event type exactly as often as one ingest writes
/// it, nothing in staging or open as a multipart upload, nothing in an <c>_error</c> or <c>_skipped</c> queue, the outbox
/// empty.
/// </summary>
public sealed class ChaosChecks(NpgsqlDataSource database, IAmazonS3 s3, StorageOptions storage, ChaosBroker broker, string institution)
{
    private readonly List<string> _failures = [];
    private readonly List<(string Check, string Result)> _lines = [];

    public IReadOnlyList<string> Failures => _failures;
    public IReadOnlyList<(string Check, string Result)> Lines => _lines;

    private void Report(string check, bool ok, string result)
    {
        _lines.Add((check, (ok ? "ok: " : "**FAILED**: ") + result));
        if (!ok) _failures.Add($"{check}: {result}");
    }

    public async Task RunAsync(IReadOnlyList<(ChaosBag Bag, Guid IngestId)> ingests, CancellationToken ct)
    {
        await StatesAsync(ingests, ct);
        await CopiesAsync(ingests, ct);
        await EventsAsync(ingests, ct);
        await LeftoversAsync(ct);
        await QueuesAsync();
        await OutboxAsync(ct);
    }

    private async Task StatesAsync(IReadOnlyList<(ChaosBag Bag, Guid IngestId)> ingests, CancellationToken ct)
    {
        var rows = (await IngestRow.LoadAsync(database, ingests.Select(i => i.IngestId).ToList(), ct)).ToDictionary(r => r.IngestId);
        var notCompleted = ingests.Where(i => !rows.TryGetValue(i.IngestId, out var r) || r.State != "Completed")
            .Select(i => rows.TryGetValue(i.IngestId, out var r) ? $"{i.Bag.Name} ({i.IngestId}) {r.State}{(r.LastError is null ? "" : $": {r.LastError}")}" : $"{i.Bag.Name} ({i.IngestId}) no saga row")
            .ToList();
        Report("every ingest Completed", notCompleted.Count == 0,
            notCompleted.Count == 0 ? $"{ingests.Count} of {ingests.Count}" : $"{ingests.Count - notCompleted.Count} of {ingests.Count}; not: {string.Join("; ", notCompleted)}");
        var again = rows.Values.Sum(r => r.Steps.Sum(s => Math.Max(0, s.Attempts - 1)));
        _lines.Add(("step messages that ran again (saga attempt counters above 1)", $"{again} over {rows.Count} ingests"));
    }

    private async Task CopiesAsync(IReadOnlyList<(ChaosBag Bag, Guid IngestId)> ingests, CancellationToken ct)
    {
        var copies = new List<(string Object, string Path, string Bucket, string Key)>();
        await using (var command = database.CreateCommand("""
            SELECT o.identifier, f.identifier, s.bucket, s.key FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.institution = @inst AND s.state = 'active'
            """))
        {
            command.Parameters.AddWithValue("inst", institution);
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) copies.Add((r.GetString(0), r.GetString(1)[(r.GetString(0).Length + 1)..], r.GetString(2), r.GetString(3)));
        }
        var buckets = copies.Select(c => c.Bucket).Distinct().Order().ToList();
        var problems = new List<string>();
        foreach (var (bag, _) in ingests)
        {
            var objectId = $"{institution}/{bag.Name}";
            var mine = copies.Where(c => c.Object == objectId).ToList();
            foreach (var path in bag.Sha256ByPath.Keys)
            {
                var perBucket = mine.Where(c => c.Path == path).GroupBy(c => c.Bucket).ToDictionary(g => g.Key, g => g.Count());
                if (buckets.Any(b => perBucket.GetValueOrDefault(b) != 1))
                    problems.Add($"{objectId}/{path}: copies per bucket {string.Join(", ", buckets.Select(b => $"{b} {perBucket.GetValueOrDefault(b)}"))}");
            }
            foreach (var extra in mine.Select(c => c.Path).Distinct().Where(p => !bag.Sha256ByPath.ContainsKey(p))) problems.Add($"{objectId}/{extra}: recorded but not in the bag");
        }
        // Every copy read back and hashed (cold copies restored first: moto makes them readable at once).
        var expected = ingests.SelectMany(i => i.Bag.Sha256ByPath.Select(p => ($"{institution}/{i.Bag.Name}", p.Key, p.Value))).ToDictionary(e => (e.Item1, e.Key), e => e.Value);
        var mismatched = new System.Collections.Concurrent.ConcurrentBag<string>();
        var read = 0L;
        await Parallel.ForEachAsync(copies, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = ct }, async (c, token) =>
        {
            if (!expected.TryGetValue((c.Object, c.Path), out var want)) return;
            var (digest, bytes) = await Sha256Async(c.Bucket, c.Key, token);
            Interlocked.Add(ref read, bytes);
            if (digest != want) mismatched.Add($"{c.Bucket}/{c.Key} ({c.Object}/{c.Path}): sha256 {digest}, the bag says {want}");
        });
        problems.AddRange(mismatched);
        var files = ingests.Sum(i => i.Bag.Sha256ByPath.Count);
        Report("every file recorded with one copy per bucket, every copy byte-exact (sha256 against the bag's manifest)", problems.Count == 0,
            $"{files} files, {copies.Count} copies in {string.Join(", ", buckets)}, {read / 1048576.0:F0} MiB read back" +
            (problems.Count == 0 ? "" : $"; {problems.Count} problems: {string.Join("; ", problems.Take(20))}"));

        // Nothing in a preservation bucket that the registry does not record (a duplicate copy under another key).
        var unrecorded = new List<string>();
        foreach (var bucket in buckets)
        {
            var keys = await ListKeysAsync(bucket, ct);
            var recorded = copies.Where(c => c.Bucket == bucket).Select(c => c.Key).ToHashSet();
            unrecorded.AddRange(keys.Where(k => !recorded.Contains(k)).Select(k => $"{bucket}/{k}"));
        }
        Report("no unrecorded object in a preservation bucket", unrecorded.Count == 0,
            unrecorded.Count == 0 ? "none" : $"{unrecorded.Count}: {string.Join(", ", unrecorded.Take(20))}");
    }

    private async Task<(string Sha256, long Bytes)> Sha256Async(string bucket, string key, CancellationToken ct)
    {
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, ct);
        if (head.StorageClass?.Value is "GLACIER" or "DEEP_ARCHIVE")
        {
            // A copy restored by an earlier check run answers with an error that changes nothing: the GET below decides.
            try { await s3.RestoreObjectAsync(new RestoreObjectRequest { BucketName = bucket, Key = key, Days = 1 }, ct); }
            catch (AmazonS3Exception) { }
        }
        using var response = await s3.GetObjectAsync(bucket, key, ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer, ct)) > 0) { sha.AppendData(buffer, 0, n); total += n; }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), total);
    }

    private async Task<List<string>> ListKeysAsync(string bucket, CancellationToken ct)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token }, ct);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        return keys;
    }

    /// <summary>What one new ingest of a valid bag writes (RecordIngestConsumer), per object and per file; anything else is a duplicate or a loss.</summary>
    private async Task EventsAsync(IReadOnlyList<(ChaosBag Bag, Guid IngestId)> ingests, CancellationToken ct)
    {
        var counts = new List<(string Object, string? Path, string Type, long Count)>();
        await using (var command = database.CreateCommand("""
            SELECT o.identifier, f.identifier, e.event_type, count(*) FROM registry.premis_events e
            JOIN registry.intellectual_objects o ON o.id = e.object_id LEFT JOIN registry.generic_files f ON f.id = e.file_id
            WHERE o.institution = @inst GROUP BY 1, 2, 3
            """))
        {
            command.Parameters.AddWithValue("inst", institution);
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                counts.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)[(r.GetString(0).Length + 1)..], r.GetString(2), r.GetInt64(3)));
        }
        var copiesPerFile = storage.CopiesOf("Standard")?.Count ?? 2;
        var perObject = new Dictionary<string, long> { ["creation"] = 1, ["identifier assignment"] = 1, ["ingestion"] = 1, ["access assignment"] = 1 };
        var perFile = new Dictionary<string, long>
        {
            ["message digest calculation"] = 4, ["fixity check"] = 4, ["ingestion"] = 1, ["identifier assignment"] = 1, ["replication"] = copiesPerFile - 1,
        };
        var wrong = new List<string>();
        long total = 0;
        foreach (var (bag, _) in ingests)
        {
            var objectId = $"{institution}/{bag.Name}";
            var mine = counts.Where(c => c.Object == objectId).ToList();
            total += mine.Sum(c => c.Count);
            void Compare(string what, Dictionary<string, long> want, Dictionary<string, long> have)
            {
                foreach (var type in want.Keys.Union(have.Keys).Where(t => want.GetValueOrDefault(t) != have.GetValueOrDefault(t)))
                    wrong.Add($"{what} {type}: {have.GetValueOrDefault(type)} (expected {want.GetValueOrDefault(type)})");
            }
            Compare(objectId, perObject, mine.Where(c => c.Path is null).ToDictionary(c => c.Type, c => c.Count));
            foreach (var path in bag.Sha256ByPath.Keys.Union(mine.Where(c => c.Path is not null).Select(c => c.Path!)))
                Compare($"{objectId}/{path}", perFile, mine.Where(c => c.Path == path).ToDictionary(c => c.Type, c => c.Count));
        }
        Report("PREMIS events: each type exactly as often as one ingest writes it (per object: creation, identifier assignment, ingestion, access assignment 1; " +
               $"per file: message digest calculation 4, fixity check 4, ingestion 1, replication {copiesPerFile - 1}, identifier assignment 1)",
            wrong.Count == 0, wrong.Count == 0 ? $"{total} events, no duplicate, none missing" : $"{wrong.Count} deviations: {string.Join("; ", wrong.Take(20))}");
    }

    private async Task LeftoversAsync(CancellationToken ct)
    {
        var staging = await ListKeysAsync(storage.StagingBucket, ct);
        var open = new List<string>();
        foreach (var (_, bucket) in storage.Buckets)
        {
            var uploads = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }, ct);
            open.AddRange((uploads.MultipartUploads ?? []).Select(u => $"{bucket}/{u.Key}"));
        }
        Report("nothing left in staging, no open multipart upload", staging.Count == 0 && open.Count == 0,
            $"{staging.Count} staging objects, {open.Count} open uploads{(open.Count > 0 ? ": " + string.Join(", ", open.Take(10)) : "")}");
    }

    private async Task QueuesAsync()
    {
        var queues = await broker.QueuesAsync();
        var parked = new List<string>();
        foreach (var queue in queues.Where(q => q.EndsWith("_error", StringComparison.Ordinal) || q.EndsWith("_skipped", StringComparison.Ordinal)))
            if (await broker.MessageCountAsync(queue) is var n and > 0) parked.Add($"{queue} {n}");
        var watched = queues.Count(q => !q.EndsWith("_error", StringComparison.Ordinal) && !q.EndsWith("_skipped", StringComparison.Ordinal));
        Report("no message in any _error or _skipped queue", parked.Count == 0,
            parked.Count == 0 ? $"{queues.Count - watched} such queues, all empty ({watched} other queues)" : string.Join(", ", parked));
    }

    private async Task OutboxAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand("""
            SELECT count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL), count(*) FILTER (WHERE parked_at IS NOT NULL),
                   (SELECT count(*) FROM bus.scheduled_message),
                   (SELECT coalesce(sum(resends), 0) FROM bus.saga_watch), (SELECT count(*) FROM bus.saga_watch WHERE alert_id IS NOT NULL)
            FROM bus.outbox_state
            """);
        await using var r = await command.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (pending, parked, scheduled, resends, alerts) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
        Report("outbox empty (nothing undelivered, nothing parked)", pending == 0 && parked == 0, $"{pending} undelivered, {parked} parked");
        _lines.Add(("scheduled messages still due later (timeouts, cleanup)", $"{scheduled}"));
        _lines.Add(("saga watchdog", $"{resends} step commands re-sent, {alerts} stuck-saga alerts"));
        if (alerts > 0) _failures.Add($"saga watchdog: {alerts} stuck-saga alerts");
    }
}
