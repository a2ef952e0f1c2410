using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Benchmarks.Ingest;
using Bus.Contracts.Restore;
using MassTransit;

namespace Bus.Benchmarks;

/// <summary>
/// Restore of a 1 GiB one-file object, in the same run as two baselines read from the same hot copy: a plain S3 GET
/// (the issue's goal: at least 0.8 of its throughput) and a fair ceiling, the same GET piped into a multipart PUT of
/// the same bytes into the restore bucket with the same part size, uploads in flight and upload options (the
/// restore's unavoidable work without Bus: it reads, hashes and writes every byte). The restore runs on a restore-only host started after
/// the ingest, whose high-water mark is reset just before the restore, so its peak resident memory is the restore's
/// own (goal under 300 MiB), not the ingest's.
/// </summary>
public sealed class RestoreLargeBenchmark : IBenchmark
{
    public string Name => "restore-large";
    public string Description => "restore of a 1 GiB object (tar, verified) vs a plain S3 GET and a GET piped into a multipart PUT of the same copy; restore host peak RSS";

    /// <summary>The restore saga's queue (Bus.Restore.RestoreEndpoints.Saga).</summary>
    private const string RestoreQueue = "restore-state";
    private const string RestoreBucket = "bus-restore";
    /// <summary>Bus:Restore:PartMiB and UploadsInFlight defaults (Bus.Restore.RestoreOptions; this project does not reference the module).</summary>
    private const int DefaultPartMiB = 16, DefaultUploadsInFlight = 2;

    /// <summary>The restore's part size for <paramref name="total"/> bytes (Bus.Restore.Steps.RestoreWriter.PartBytesFor: at most 9,000 parts).</summary>
    private static long PartBytesFor(long total, long configured)
    {
        const long MiB = 1024 * 1024;
        var needed = (total + 9_000 - 1) / 9_000;
        return Math.Max(configured, (needed + MiB - 1) / MiB * MiB);
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var sizeMiB = size ?? 1024;
        var partMiB = environment.TryGetValue("Bus__Restore__PartMiB", out var p) ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : DefaultPartMiB;
        var inFlight = environment.TryGetValue("Bus__Restore__UploadsInFlight", out var f) ? int.Parse(f, System.Globalization.CultureInfo.InvariantCulture) : DefaultUploadsInFlight;
        await using var bench = await IngestBench.StartAsync(Name, environment, "ingest,scheduler");
        var tar = await BenchBags.WriteLargeAsync(bench.Folder, "bench-restore", sizeMiB, cancellationToken);
        var ingest = await SingleIngest.RunAsync(bench, tar, cancellationToken);
        var objectIdentifier = $"{bench.Institution}/bench-restore";
        var (bucket, key, bytes) = await LargestCopyAsync(objectIdentifier, cancellationToken);
        try { await bench.S3.PutBucketAsync(new PutBucketRequest { BucketName = RestoreBucket }, cancellationToken); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }
        var restoreHost = await bench.StartHostAsync("restore", "restore");
        // Warm-up, not in the ratios: a file restore of the object's smallest file goes through the same saga, writer and
        // multipart upload, so the timed restore is a running host's, not its first-use costs (JIT, connections).
        var warmUpId = NewId.NextGuid();
        var warmUpClock = Stopwatch.StartNew();
        await (await bench.Bus.GetSendEndpoint(new Uri($"queue:{RestoreQueue}")))
            .Send(new RestoreFile(warmUpId, await SmallestFileAsync(objectIdentifier, cancellationToken), "bench@bench.edu", DateTimeOffset.UtcNow), cancellationToken);
        var warmUp = await WaitAsync(warmUpId, cancellationToken);
        var warmUpSeconds = warmUpClock.Elapsed.TotalSeconds;
        if (warmUp.State != "Completed") throw new InvalidOperationException($"warm-up restore {warmUpId} ended {warmUp.State}: {warmUp.Reason}; host log {restoreHost.LogPath}");
        await bench.S3.DeleteObjectAsync(RestoreBucket, warmUp.Key!, cancellationToken);

        var loadBefore = RunMonitor.LoadAverage();
        var getBefore = await TimedGetAsync(bench.S3, bucket, key, cancellationToken);
        var partBytes = PartBytesFor(bytes, partMiB * 1024L * 1024);
        var pipeBefore = await TimedGetIntoMultipartAsync(bench.S3, bucket, key, bytes, partBytes, inFlight, $"{bench.Institution}/ceiling-1", cancellationToken);
        var loadAtRestore = RunMonitor.LoadAverage();
        var residentAtReset = restoreHost.ResetPeak() / 1024.0;
        var restoreId = NewId.NextGuid();
        var endpoint = await bench.Bus.GetSendEndpoint(new Uri($"queue:{RestoreQueue}"));
        var sent = Stopwatch.StartNew();
        await endpoint.Send(new RestoreObject(restoreId, objectIdentifier, "bench@bench.edu", DateTimeOffset.UtcNow), cancellationToken);
        var (state, restoredKey, restoredBytes, reason) = await WaitAsync(restoreId, cancellationToken);
        sent.Stop();
        var hwm = restoreHost.PeakResidentKiB() / 1024.0;
        var loadAfterRestore = RunMonitor.LoadAverage();
        if (state != "Completed") throw new InvalidOperationException($"restore {restoreId} ended {state}: {reason}; host log {restoreHost.LogPath}");
        await bench.S3.DeleteObjectAsync(RestoreBucket, restoredKey!, cancellationToken);
        var pipeAfter = await TimedGetIntoMultipartAsync(bench.S3, bucket, key, bytes, partBytes, inFlight, $"{bench.Institution}/ceiling-2", cancellationToken);
        var getAfter = await TimedGetAsync(bench.S3, bucket, key, cancellationToken);
        var loadEnd = RunMonitor.LoadAverage();

        var getMbps = bytes / 1e6 / ((getBefore + getAfter) / 2);
        var pipeMbps = bytes / 1e6 / ((pipeBefore + pipeAfter) / 2);
        var restoreMbps = restoredBytes / 1e6 / sent.Elapsed.TotalSeconds;
        Console.WriteLine($"## Restore: {sizeMiB:N0} MiB one-file object against a plain S3 GET and a GET piped into a multipart PUT");
        Console.WriteLine();
        Console.WriteLine($"`make bench-{Name}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC). Machine: {Machine.Describe()}.");
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        IngestReport.Row("host settings", $"{HostArgs.Describe(environment)} (part {partBytes / 1048576} MiB, {inFlight} upload(s) in flight)");
        IngestReport.Row("ingest of the object first, on an ingest host (not measured here)", $"{ingest.WallSeconds:F1} s");
        IngestReport.Row("warm-up: the restore host's first restore, a file restore of the object's smallest file, sent → Completed (not in the ratios)", $"{warmUpSeconds:F2} s");
        IngestReport.Row("plain GET of the hot copy, before / after the restore", $"{getBefore:F1} s / {getAfter:F1} s ({getMbps:F1} MB/s mean)");
        IngestReport.Row($"ceiling: GET of the copy piped into a multipart PUT to {RestoreBucket} (same part size and uploads in flight), before / after",
            $"{pipeBefore:F1} s / {pipeAfter:F1} s ({pipeMbps:F1} MB/s mean)");
        IngestReport.Row("restore on a restore-only host, RestoreObject sent → Completed (tar of every file, sha256 verified, multipart upload)",
            $"{sent.Elapsed.TotalSeconds:F1} s ({restoreMbps:F1} MB/s, {restoredBytes / 1048576.0:F0} MiB tar)");
        var ratio = restoreMbps / getMbps;
        IngestReport.Row("restore / plain GET (the issue's goal ≥ 0.8)", $"{ratio:F2} {(ratio >= 0.8 ? "(met)" : "(NOT met)")}");
        var fair = restoreMbps / pipeMbps;
        IngestReport.Row("restore / GET piped into multipart PUT (ceiling ≥ 0.8)", $"{fair:F2} {(fair >= 0.8 ? "(met)" : "(NOT met)")}");
        IngestReport.Row("restore-only host: resident at the reset before the restore / peak during the restore (VmHWM after clear_refs; goal < 300 MiB)",
            $"{residentAtReset:F0} MiB / {hwm:F0} MiB {(hwm < 300 ? "(met)" : "(NOT met)")}");
        IngestReport.Row("load average (1 min): before the baselines / at the restore's start / at its end / at the end", $"{loadBefore:F1} / {loadAtRestore:F1} / {loadAfterRestore:F1} / {loadEnd:F1}");
        return 0;
    }

    /// <summary>
    /// The restore's work without Bus: a GET of the copy read part by part into buffers, each part uploaded while the
    /// next is read (at most <paramref name="inFlight"/> uploads at once, as the restore), then completed and deleted.
    /// </summary>
    private static async Task<double> TimedGetIntoMultipartAsync(IAmazonS3 s3, string bucket, string key, long bytes, long partBytes, int inFlight,
        string targetKey, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = RestoreBucket, Key = targetKey }, ct);
        var buffers = new byte[inFlight + 1][];
        var pending = new Queue<Task<PartETag>>();
        var etags = new List<PartETag>();
        using (var response = await s3.GetObjectAsync(bucket, key, ct))
        {
            var body = response.ResponseStream;
            for (var (offset, number) = (0L, 1); offset < bytes; offset += partBytes, number++)
            {
                var buffer = buffers[(number - 1) % buffers.Length] ??= new byte[partBytes];
                var length = (int)Math.Min(partBytes, bytes - offset);
                await body.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
                while (pending.Count >= inFlight) etags.Add(await pending.Dequeue());
                var n = number;
                pending.Enqueue(Task.Run(async () => new PartETag(n, (await s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = RestoreBucket, Key = targetKey, UploadId = upload.UploadId, PartNumber = n, PartSize = length,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    // As the restore sends its parts (RestoreWriter.Upload): whole and seekable, not chunk-encoded.
                    UseChunkEncoding = false,
                }, ct)).ETag), ct));
            }
        }
        while (pending.Count > 0) etags.Add(await pending.Dequeue());
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = RestoreBucket, Key = targetKey, UploadId = upload.UploadId, PartETags = etags }, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        await s3.DeleteObjectAsync(RestoreBucket, targetKey, ct);
        return seconds;
    }

    private static async Task<double> TimedGetAsync(IAmazonS3 s3, string bucket, string key, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var response = await s3.GetObjectAsync(bucket, key, ct);
        var buffer = new byte[1 << 20];
        while (await response.ResponseStream.ReadAsync(buffer, ct) > 0) { }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The largest file's hot copy: the one the restore reads (hot first) and the only one a plain GET can read (the
    /// Standard option's other copy is GLACIER, whose GET is refused; ordering by bucket alone picked it).
    /// </summary>
    private static async Task<(string Bucket, string Key, long Bytes)> LargestCopyAsync(string objectIdentifier, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("""
            SELECT s.bucket, s.key, f.size FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o AND s.state = 'active' AND s.tier = 'hot' ORDER BY f.size DESC, s.bucket LIMIT 1
            """);
        command.Parameters.AddWithValue("o", objectIdentifier);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new InvalidOperationException($"no copy of {objectIdentifier}");
        return (r.GetString(0), r.GetString(1), r.GetInt64(2));
    }

    /// <summary>The object's smallest active file (the warm-up's file restore).</summary>
    private static async Task<string> SmallestFileAsync(string objectIdentifier, CancellationToken ct)
    {
        await using var command = IngestBench.Database.CreateCommand("""
            SELECT f.identifier FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o AND f.state = 'active' ORDER BY f.size, f.identifier LIMIT 1
            """);
        command.Parameters.AddWithValue("o", objectIdentifier);
        return await command.ExecuteScalarAsync(ct) as string ?? throw new InvalidOperationException($"no file of {objectIdentifier}");
    }

    private static async Task<(string State, string? Key, long Bytes, string? Reason)> WaitAsync(Guid restoreId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromHours(1);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = IngestBench.Database.CreateCommand("SELECT current_state, key, coalesce(size, 0), failure_reason FROM bus.restore_saga WHERE correlation_id = @id");
            command.Parameters.AddWithValue("id", restoreId);
            await using (var r = await command.ExecuteReaderAsync(ct))
            {
                if (await r.ReadAsync(ct) && r.GetString(0) is "Completed" or "Failed" or "Faulted")
                    return (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3));
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"restore {restoreId} did not end within an hour");
    }
}
