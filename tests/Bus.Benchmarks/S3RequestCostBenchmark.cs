using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Benchmarks.Ingest;
using Bus.Platform;
using Bus.Platform.Options;
using Microsoft.Extensions.Configuration;

namespace Bus.Benchmarks;

/// <summary>
/// What one small-object S3 request costs the local S3 server (moto_server: Python, one core under
/// its interpreter lock), per request type, at the concurrency the ingest steps use. An ingest of a
/// small bag is a fixed number of such requests per file, so this gives the ceiling on small-bag
/// ingests per second that the S3 server alone sets on this machine, whatever Bus does.
/// </summary>
public sealed class S3RequestCostBenchmark : IBenchmark
{
    private const int Concurrency = 8;
    private const int ObjectSize = 4096;

    public string Name => "s3-requests";
    public string Description => "moto_server CPU and wall time per small-object S3 request (PUT, CopyObject, GET, ranged GET, DeleteObjects)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 1000;
        var storage = BusConfiguration.Build().GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        using var s3 = StorageClientFactory.Create(storage);
        var bucket = storage.StagingBucket;
        var prefix = $"bench-s3-{Guid.NewGuid():N}/";
        var body = new byte[ObjectSize];
        new Random(1).NextBytes(body);
        var keys = Enumerable.Range(0, count).Select(i => $"{prefix}src/{i:D6}").ToArray();
        var rows = new List<(string What, Measure M)>();
        try
        {
            rows.Add(("PUT 4 KiB", await MeasureAsync(keys, k => s3.PutObjectAsync(new PutObjectRequest
                { BucketName = bucket, Key = k, InputStream = new MemoryStream(body) }, cancellationToken))));
            rows.Add(("CopyObject (server-side)", await MeasureAsync(keys, k => s3.CopyObjectAsync(new CopyObjectRequest
                { SourceBucket = bucket, SourceKey = k, DestinationBucket = bucket, DestinationKey = k.Replace("/src/", "/dst/") }, cancellationToken))));
            rows.Add(("GET, read to the end", await MeasureAsync(keys, async k =>
            {
                using var response = await s3.GetObjectAsync(bucket, k, cancellationToken);
                await response.ResponseStream.CopyToAsync(Stream.Null, cancellationToken);
            })));
            rows.Add(("ranged GET of the first 512 bytes", await MeasureAsync(keys, async k =>
            {
                using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = k, ByteRange = new ByteRange(0, 511) }, cancellationToken);
                await response.ResponseStream.CopyToAsync(Stream.Null, cancellationToken);
            })));
            var batches = keys.Concat(keys.Select(k => k.Replace("/src/", "/dst/"))).Chunk(1000).ToArray();
            var delete = await MeasureAsync(batches, b => s3.DeleteObjectsAsync(new DeleteObjectsRequest
                { BucketName = bucket, Objects = b.Select(k => new KeyVersion { Key = k }).ToList() }, cancellationToken));
            rows.Add(($"DeleteObjects, per key ({batches.Length} requests of up to 1,000 keys)", delete with { Requests = count * 2 }));
        }
        finally
        {
            foreach (var batch in keys.Concat(keys.Select(k => k.Replace("/src/", "/dst/"))).Chunk(1000))
                await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = batch.Select(k => new KeyVersion { Key = k }).ToList() },
                    CancellationToken.None);
        }

        Console.WriteLine();
        Console.WriteLine($"### s3-requests ({count} objects of {ObjectSize / 1024} KiB, {Concurrency} requests in flight, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {RunMonitor.LoadAverage():F1})");
        Console.WriteLine();
        Console.WriteLine("| request | requests/s | moto_server CPU-ms per request |");
        Console.WriteLine("|---|---|---|");
        foreach (var (what, m) in rows)
            Console.WriteLine($"| {what} | {m.Requests / m.Seconds:F0} | {1000 * m.MotoCpu / m.Requests:F2} |");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Machine.Describe()}");
        return 0;
    }

    private sealed record Measure(int Requests, double Seconds, double MotoCpu);

    private static async Task<Measure> MeasureAsync<T>(IReadOnlyCollection<T> items, Func<T, Task> request)
    {
        var moto = ProcessCpu.Snapshot("moto_server");
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (item, _) => await request(item));
        return new Measure(items.Count, clock.Elapsed.TotalSeconds, ProcessCpu.Since(moto, "moto_server"));
    }
}
