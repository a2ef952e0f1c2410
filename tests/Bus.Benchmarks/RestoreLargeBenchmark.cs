using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Benchmarks.Ingest;
using Bus.Contracts.Restore;
using MassTransit;

namespace Bus.Benchmarks;

/// <summary>
/// Restore of a 1 GiB one-file object against a plain S3 GET of the same copy in the same run: the restore reads
/// every byte, hashes it and writes the tar by multipart upload, so the goal is at least 0.8 of the GET's
/// throughput, with the host's peak resident memory under 300 MiB.
/// </summary>
public sealed class RestoreLargeBenchmark : IBenchmark
{
    public string Name => "restore-large";
    public string Description => "restore of a 1 GiB object (tar, verified) vs a plain S3 GET of the same copy; host peak RSS";

    /// <summary>The restore saga's queue (Bus.Restore.RestoreEndpoints.Saga).</summary>
    private const string RestoreQueue = "restore-state";
    private const string RestoreBucket = "bus-restore";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var sizeMiB = size ?? 1024;
        await using var bench = await IngestBench.StartAsync(Name, environment, "ingest,restore,scheduler");
        var tar = await BenchBags.WriteLargeAsync(bench.Folder, "bench-restore", sizeMiB, cancellationToken);
        var ingest = await SingleIngest.RunAsync(bench, tar, cancellationToken);
        var objectIdentifier = $"{bench.Institution}/bench-restore";
        var (bucket, key, bytes) = await LargestCopyAsync(objectIdentifier, cancellationToken);
        try { await bench.S3.PutBucketAsync(new PutBucketRequest { BucketName = RestoreBucket }, cancellationToken); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }

        var getBefore = await TimedGetAsync(bench.S3, bucket, key, cancellationToken);
        var restoreId = NewId.NextGuid();
        var endpoint = await bench.Bus.GetSendEndpoint(new Uri($"queue:{RestoreQueue}"));
        var sent = Stopwatch.StartNew();
        await endpoint.Send(new RestoreObject(restoreId, objectIdentifier, "bench@bench.edu", DateTimeOffset.UtcNow), cancellationToken);
        var (state, restoredKey, restoredBytes, reason) = await WaitAsync(restoreId, cancellationToken);
        sent.Stop();
        if (state != "Completed") throw new InvalidOperationException($"restore {restoreId} ended {state}: {reason}; host log {bench.Host.LogPath}");
        var getAfter = await TimedGetAsync(bench.S3, bucket, key, cancellationToken);
        await bench.S3.DeleteObjectAsync(RestoreBucket, restoredKey!, cancellationToken);

        var getMbps = bytes / 1e6 / ((getBefore + getAfter) / 2);
        var restoreMbps = restoredBytes / 1e6 / sent.Elapsed.TotalSeconds;
        Console.WriteLine($"## Restore: {sizeMiB:N0} MiB one-file object against a plain S3 GET");
        Console.WriteLine();
        Console.WriteLine($"`make bench-{Name}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC). Machine: {Machine.Describe()}.");
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        IngestReport.Row("host settings", $"{HostArgs.Describe(environment)}");
        IngestReport.Row("ingest of the object first (not measured here)", $"{ingest.WallSeconds:F1} s");
        IngestReport.Row("plain GET of the copy, before / after the restore", $"{getBefore:F1} s / {getAfter:F1} s ({getMbps:F1} MB/s mean)");
        IngestReport.Row("restore, RestoreObject sent → Completed (tar of every file, sha256 verified, multipart upload)", $"{sent.Elapsed.TotalSeconds:F1} s ({restoreMbps:F1} MB/s, {restoredBytes / 1048576.0:F0} MiB tar)");
        var ratio = restoreMbps / getMbps;
        IngestReport.Row("restore throughput / GET throughput (goal ≥ 0.8)", $"{ratio:F2} {(ratio >= 0.8 ? "(met)" : "(NOT met)")}");
        var hwm = bench.Host.PeakResidentKiB() / 1024.0;
        IngestReport.Row("peak resident memory of bus-host over ingest and restore (VmHWM; goal < 300 MiB)", $"{hwm:F0} MiB {(hwm < 300 ? "(met)" : "(NOT met)")}");
        IngestReport.Row("load average", $"{RunMonitor.LoadAverage():F2}");
        return 0;
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
