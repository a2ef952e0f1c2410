using System.Diagnostics;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// One bag through the whole ingest: upload the tar (timed apart: a depositor's upload, not Bus's
/// work), publish SubmitIngest, wait for its end in the saga table. The clock runs from the
/// publish to the saga's finished time.
/// </summary>
public static class SingleIngest
{
    public sealed record Result(IngestRow Row, double UploadSeconds, double WallSeconds, long TarBytes, RunMonitor Monitor);

    public static async Task<Result> RunAsync(IngestBench bench, string tar, CancellationToken ct)
    {
        var tarBytes = new FileInfo(tar).Length;
        var upload = Stopwatch.StartNew();
        var submit = await bench.UploadAsync(tar, ct);
        upload.Stop();
        File.Delete(tar);
        Console.Error.WriteLine($"uploaded {tarBytes >> 20} MiB in {upload.Elapsed.TotalSeconds:F1} s; ingesting {submit.IngestId}");
        await using var monitor = await RunMonitor.StartAsync(bench);
        var published = DateTimeOffset.UtcNow;
        await bench.Bus.Publish(submit, ct);
        var row = (await bench.WaitForEndAsync([submit.IngestId], TimeSpan.FromHours(2), ct)).Single();
        await monitor.StopAsync();
        if (row.State != "Completed")
            throw new InvalidOperationException($"ingest {row.IngestId} ended {row.State}: {row.LastError} ({await bench.ForeignTransitionsAsync()} transitions by other processes); host log {bench.Host.LogPath}");
        return new Result(row, upload.Elapsed.TotalSeconds, (row.FinishedAt!.Value - published).TotalSeconds, tarBytes, monitor);
    }
}
