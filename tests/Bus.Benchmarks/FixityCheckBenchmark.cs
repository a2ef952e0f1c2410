using Bus.Workflows.Steps;
using Bus.Workflows.Copies;
using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Transfer;
using Bus.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Platform;
using Bus.Hashing;
using Bus.Platform.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Bus.Benchmarks;

/// <summary>
/// A fixity check's read of a 1 GiB copy (stream + resumable sha256, the read VerifyCopyConsumer does,
/// in one slice of the default five minutes) against a
/// plain GET of the same object read to the end, alternated in the same run so both see the same
/// server state. Goal: the check reaches at least 0.9 of the GET's throughput. moto keeps objects in
/// memory, so the object is deleted afterwards.
/// </summary>
public sealed class FixityCheckBenchmark : IBenchmark
{
    public string Name => "fixity-check";
    public string Description => "fixity check (stream + sha256) of a 1 GiB copy vs a plain S3 GET of it";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sizeMiB = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 1024;
        const int rounds = 3;
        var storage = BusConfiguration.Build().GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        using var s3 = StorageClientFactory.Create(storage);
        // A hot copy's bucket (the Standard option's first copy): a cold one could not be read without a restore.
        var hotBucket = storage.CopiesOf("Standard")![0].Bucket;
        var bucket = hotBucket;
        var key = $"bench-fixity-{Guid.NewGuid():N}";
        var size = sizeMiB * 1024L * 1024;
        try
        {
            Console.WriteLine($"uploading {sizeMiB} MiB to {bucket}/{key} ...");
            await new TransferUtility(s3).UploadAsync(new TransferUtilityUploadRequest
            {
                BucketName = bucket, Key = key, InputStream = new PatternStream(size), PartSize = 64L * 1024 * 1024,
            }, cancellationToken);

            var options = new FixityOptions();
            var resilience = new S3Resilience();
            var digester = new CopyReader(new S3CopyStorage(s3, resilience, new CopyWriter(s3, resilience), new CopyChecksums(s3, resilience), new CopyTemperature(s3, resilience)));
            var get = new List<double>();
            var check = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                get.Add(await TimeAsync(() => PlainGetAsync(s3, bucket, key, cancellationToken)));
                check.Add(await TimeAsync(async () => (await digester.DigestAsync(bucket, key, options.AlgorithmList, options.ReadBufferKiB * 1024, cancellationToken))!.Size));
                Console.WriteLine($"round {round + 1}: GET {sizeMiB / get[^1]:F0} MiB/s, check {sizeMiB / check[^1]:F0} MiB/s");
            }
            var getMedian = Median(get);
            var checkMedian = Median(check);
            Console.WriteLine();
            Console.WriteLine($"### fixity-check ({sizeMiB} MiB object, moto_server, median of {rounds} alternated rounds)");
            Console.WriteLine();
            Console.WriteLine("| what | seconds | MiB/s |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| plain GET, read to the end | {getMedian:F2} | {sizeMiB / getMedian:F0} |");
            Console.WriteLine($"| fixity check read (stream + sha256, {hotBucket}) | {checkMedian:F2} | {sizeMiB / checkMedian:F0} |");
            Console.WriteLine($"| ratio check/GET throughput | | {getMedian / checkMedian:F2} (goal >= 0.9) |");
            Console.WriteLine();
            Console.WriteLine("sha256 of 1 GiB in memory, CPU-seconds (the check's hash vs .NET's; CPU time, not wall: the machine is shared):");
            Console.WriteLine($"| ResumableHash (OpenSSL SHA256_Update, checkpointable) | {HashSeconds(b => { var h = ResumableHash.Create("sha256"); foreach (var _ in Enumerable.Range(0, 16)) h.Append(b); h.Finish(); }):F2} CPU-s |");
            Console.WriteLine($"| IncrementalHash (OpenSSL EVP) | {HashSeconds(b => { using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); foreach (var _ in Enumerable.Range(0, 16)) h.AppendData(b); h.GetHashAndReset(); }):F2} CPU-s |");
            return 0;
        }
        finally
        {
            await s3.DeleteObjectAsync(bucket, key, CancellationToken.None);
        }
    }

    /// <summary>Median CPU time of three runs over a 64 MiB buffer hashed 16 times (1 GiB), on the calling thread.</summary>
    private static double HashSeconds(Action<byte[]> hash)
    {
        var buffer = new byte[64 * 1024 * 1024];
        new Random(1).NextBytes(buffer);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            hash(buffer);
            times.Add((Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
        }
        return Median(times);
    }

    private static async Task<long> PlainGetAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(bucket, key, cancellationToken);
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0) total += n;
        return total;
    }

    private static async Task<double> TimeAsync(Func<Task<long>> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A non-repeating-looking stream of the given length, generated on the fly (no 1 GiB buffer in this process).</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++) buffer[offset + i] = (byte)(((_position + i) * 2654435761L) >> 13);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
