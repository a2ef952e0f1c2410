using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace Bus.Benchmarks;

/// <summary>
/// busctl bag validate on a 1 GiB single-file bag (md5, sha1, sha256 and sha512 manifests) against
/// tee into four openssl dgst processes over the same payload, in the same run. Goal: ratio &lt;= 0.8.
/// </summary>
public sealed class ValidateLargeBenchmark : IBenchmark
{
    public string Name => "validate-large";
    public string Description => "busctl bag validate on a 1 GiB one-file bag vs tee into four openssl dgst (goal <= 0.8x)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var busctl = BagBenchmarkSupport.Busctl();
        var sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
        var work = Directory.CreateTempSubdirectory("bus-bench-large-").FullName;
        try
        {
            const string bagName = "large-bag";
            var payload = Path.Combine(work, "payload.bin");
            var chunk = new byte[1 << 20];
            var random = new Random(1);
            await using (var file = File.Create(payload))
                for (var i = 0; i < sizeMiB; i++)
                {
                    random.NextBytes(chunk);
                    await file.WriteAsync(chunk, cancellationToken);
                }
            var size = (long)sizeMiB << 20;

            // The reference run also yields the digests that go into the manifests.
            var (teeSeconds, teeCpu, digests) = await BagBenchmarkSupport.TeeOpensslAsync(payload, work);

            var tar = Path.Combine(work, bagName + ".tar");
            await using (var output = File.Create(tar))
            await using (var writer = new TarWriter(output, TarEntryFormat.Ustar))
            {
                await using (var data = File.OpenRead(payload))
                    writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{bagName}/data/payload.bin") { DataStream = data });
                var manifests = BagBenchmarkSupport.Algorithms.ToDictionary(a => a, a => new StringBuilder($"{digests[a]}  data/payload.bin\n"));
                BagBenchmarkSupport.WriteTagFiles(writer, bagName, size, 1, manifests);
            }
            File.Delete(payload);
            // Put the tar in the page cache like the payload was, so both runs read from memory.
            await using (var warm = File.OpenRead(tar)) await warm.CopyToAsync(Stream.Null, cancellationToken);

            var run = await BagBenchmarkSupport.TimeAsync(busctl, "bag", "validate", tar, "--json");
            if (run.ExitCode != 0)
            {
                Console.Error.WriteLine($"busctl bag validate exited {run.ExitCode}:\n{run.Stdout}");
                return 1;
            }
            var ratio = run.Seconds / teeSeconds;
            Console.WriteLine($"## Bag validation: {sizeMiB} MiB single-file bag");
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine(BagBenchmarkSupport.Row("`bin/busctl bag validate large-bag.tar --json` (published CLI, process start included)", $"{run.Seconds:F2} s wall ({sizeMiB / run.Seconds:F0} MiB/s), {run.CpuSeconds:F2} CPU-s"));
            Console.WriteLine(BagBenchmarkSupport.Row("`tee` into four `openssl dgst` (md5, sha1, sha256, sha512), same payload", $"{teeSeconds:F2} s wall, {teeCpu:F2} CPU-s"));
            Console.WriteLine(BagBenchmarkSupport.Row("ratio busctl / pipeline (goal <= 0.8)", $"{ratio:F2} {(ratio <= 0.8 ? "(met)" : "(NOT met)")}"));
            Console.WriteLine(BagBenchmarkSupport.Row("load average at the end (2 cores, shared)", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?"));
            Console.WriteLine(BagBenchmarkSupport.Row("peak RSS of busctl", $"{run.PeakRssKiB / 1024.0:F0} MiB"));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
