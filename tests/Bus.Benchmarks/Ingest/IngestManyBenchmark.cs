
namespace Bus.Benchmarks.Ingest;

/// <summary>End-to-end ingest of a 10,000-file bag of small files: wall time, files/s, per-step timings, host peak RSS.</summary>
public sealed class IngestManyBenchmark : IBenchmark
{
    private const int FileBytes = 1024;

    public string Name => "ingest-many";
    public string Description => "end-to-end ingest of a 10,000 x 1 KiB-file bag (own vhost, published host): wall, files/s, steps, host peak RSS";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var count = size ?? 10_000;
        await using var bench = await IngestBench.StartAsync(Name, environment);
        var tar = BenchBags.WriteMany(bench.Folder, "bench-many", count, FileBytes);
        var r = await SingleIngest.RunAsync(bench, tar, cancellationToken);
        IngestReport.Header($"{count:N0} files of 1 KiB, end to end", Name);
        IngestReport.Row("host settings", $"{HostArgs.Describe(environment)}");
        IngestReport.Row("tar", $"{r.TarBytes / 1048576.0:F1} MiB, {count:N0} payload files + 8 tag files");
        IngestReport.Row("upload to the receiving bucket (not part of the ingest)", $"{r.UploadSeconds:F1} s");
        IngestReport.Row("wall time, SubmitIngest published → Completed", $"{r.WallSeconds:F1} s");
        IngestReport.Row("payload files per second", $"{count / r.WallSeconds:F0}");
        IngestReport.Row("throughput (tar bytes / wall time)", $"{r.TarBytes / 1e6 / r.WallSeconds:F2} MB/s");
        await IngestReport.CommonAsync(bench, r.Monitor);
        IngestReport.Steps(r.Row);
        return 0;
    }
}
