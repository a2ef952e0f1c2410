using System.Collections.Concurrent;
using System.Diagnostics;
using Bus.Contracts.Ingest;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// 200 one-file bags uploaded first, then all 200 SubmitIngest published at once: ingests per second
/// from the first publish to the last Completed (goal 25/s), per-step spread, host peak RSS.
/// </summary>
public sealed class IngestBurstBenchmark : IBenchmark
{
    private const int FileBytes = 4096;
    private const int WarmUpBags = 20;

    public string Name => "ingest-burst";
    public string Description => "200 one-file bags submitted at once (own vhost, published host): ingests/s, S3 requests and CPU per ingest (goal 40 ms), steps, host peak RSS";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var count = size ?? 200;
        await using var bench = await IngestBench.StartAsync(Name, environment);

        // A host that has run for a while: its hot paths compiled by the tiered JIT, its pools open.
        var warmUp = await UploadAsync(bench, "bench-burst-warmup", WarmUpBags, cancellationToken);
        var warmUpClock = Stopwatch.StartNew();
        await Task.WhenAll(warmUp.Select(s => bench.Bus.Publish(s, cancellationToken)));
        var warmRows = await bench.WaitForEndAsync(warmUp.Select(s => s.IngestId).ToList(), TimeSpan.FromMinutes(10), cancellationToken);
        if (warmRows.Any(r => r.State != "Completed"))
            throw new InvalidOperationException($"a warm-up ingest did not complete; host log {bench.Host.LogPath}");
        Console.Error.WriteLine($"warm-up: {WarmUpBags} ingests in {warmUpClock.Elapsed.TotalSeconds:F1} s");

        var upload = Stopwatch.StartNew();
        var submits = await UploadAsync(bench, "bench-burst", count, cancellationToken);
        upload.Stop();
        Console.Error.WriteLine($"uploaded {count} bags in {upload.Elapsed.TotalSeconds:F1} s; publishing");

        await using var monitor = await RunMonitor.StartAsync(bench);
        var published = DateTimeOffset.UtcNow;
        await Task.WhenAll(submits.Select(s => bench.Bus.Publish(s, cancellationToken)));
        var publishSeconds = (DateTimeOffset.UtcNow - published).TotalSeconds;
        var rows = await bench.WaitForEndAsync(submits.Select(s => s.IngestId).ToList(), TimeSpan.FromMinutes(30), cancellationToken);
        await monitor.StopAsync();
        var failed = rows.Where(r => r.State != "Completed").ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException($"{failed.Count} ingests did not complete ({await bench.ForeignTransitionsAsync()} transitions by other processes), e.g. {failed[0].IngestId} {failed[0].State}: {failed[0].LastError}; host log {bench.Host.LogPath}");
        var wall = (rows.Max(r => r.FinishedAt!.Value) - published).TotalSeconds;
        var rate = count / wall;

        IngestReport.Header($"{count} one-file bags submitted at once", Name);
        IngestReport.Row("host settings", $"{HostArgs.Describe(environment)}");
        IngestReport.Row("bags", $"{count}, each one payload file of {FileBytes / 1024} KiB (+ 8 tag files), uploaded beforehand in {upload.Elapsed.TotalSeconds:F1} s");
        IngestReport.Row("warm-up before the clock (same host)", $"{WarmUpBags} ingests of the same kind, all Completed");
        IngestReport.Row("publishing all SubmitIngest (in flight together, confirms on)", $"{publishSeconds:F2} s");
        IngestReport.Row("first publish → last Completed", $"{wall:F1} s");
        IngestReport.Row("ingests per second (goal 25)", $"{rate:F1} {(rate >= 25 ? "(met)" : "(NOT met)")}");
        await IngestReport.CommonAsync(bench, monitor);
        IngestReport.PerIngest(monitor, count, goalCpuMs: 40);
        IngestReport.StepDistribution(rows);
        return 0;
    }

    private static async Task<List<SubmitIngest>> UploadAsync(IngestBench bench, string prefix, int count, CancellationToken cancellationToken)
    {
        var submits = new ConcurrentBag<SubmitIngest>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var tar = BenchBags.WriteMany(bench.Folder, $"{prefix}-{i:D4}", 1, FileBytes, seed: i);
                submits.Add(await bench.UploadAsync(tar, ct));
                File.Delete(tar);
            });
        return [.. submits];
    }
}
