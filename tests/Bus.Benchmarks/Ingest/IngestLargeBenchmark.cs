
namespace Bus.Benchmarks.Ingest;

/// <summary>End-to-end ingest of a 1 GiB one-file bag on the local stack: wall time, MB/s, per-step timings, host peak RSS.</summary>
public sealed class IngestLargeBenchmark : IBenchmark
{
    public string Name => "ingest-large";
    public string Description => "end-to-end ingest of a 1 GiB one-file bag (own vhost, published host): wall, MB/s, steps, host peak RSS";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (size, environment) = HostArgs.Parse(args);
        var sizeMiB = size ?? 1024;
        await using var bench = await IngestBench.StartAsync(Name, environment);
        var tar = await BenchBags.WriteLargeAsync(bench.Folder, "bench-large", sizeMiB, cancellationToken);
        var r = await SingleIngest.RunAsync(bench, tar, cancellationToken);
        var mb = r.TarBytes / 1e6;
        IngestReport.Header($"{sizeMiB:N0} MiB one-file bag, end to end", Name);
        IngestReport.Row("host settings", $"{HostArgs.Describe(environment)}");
        IngestReport.Row("tar", $"{r.TarBytes / 1048576.0:F0} MiB, one payload file, md5/sha1/sha256/sha512 manifests");
        IngestReport.Row("upload to the receiving bucket (not part of the ingest)", $"{r.UploadSeconds:F1} s");
        IngestReport.Row("wall time, SubmitIngest published → Completed", $"{r.WallSeconds:F1} s");
        IngestReport.Row("throughput (tar bytes / wall time)", $"{mb / r.WallSeconds:F1} MB/s ({r.TarBytes / 1048576.0 / r.WallSeconds:F1} MiB/s)");
        await IngestReport.CommonAsync(bench, r.Monitor);
        IngestReport.Steps(r.Row);
        return 0;
    }
}
