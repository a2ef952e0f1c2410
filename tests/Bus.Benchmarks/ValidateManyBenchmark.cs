using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bus.Benchmarks;

/// <summary>busctl bag validate on a bag of 100,000 files of 1 KiB: files per second (goal 20,000) and peak RSS.</summary>
public sealed class ValidateManyBenchmark : IBenchmark
{
    public string Name => "validate-many";
    public string Description => "busctl bag validate on a 100,000 x 1 KiB-file bag: files/s (goal 20,000)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var busctl = BagBenchmarkSupport.Busctl();
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var work = Directory.CreateTempSubdirectory("bus-bench-many-").FullName;
        try
        {
            const string bagName = "many-bag";
            var tar = Path.Combine(work, bagName + ".tar");
            var manifests = BagBenchmarkSupport.Algorithms.ToDictionary(a => a, _ => new StringBuilder());
            var content = new byte[1024];
            var random = new Random(2);
            await using (var output = File.Create(tar))
            await using (var writer = new TarWriter(output, TarEntryFormat.Ustar))
            {
                for (var i = 0; i < count; i++)
                {
                    random.NextBytes(content);
                    var path = $"data/{i / 1000:D3}/file-{i:D6}.bin";
#pragma warning disable CA5350, CA5351 // BagIt fixity, not security
                    manifests["md5"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(MD5.HashData(content))}  {path}\n");
                    manifests["sha1"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA1.HashData(content))}  {path}\n");
#pragma warning restore CA5350, CA5351
                    manifests["sha256"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA256.HashData(content))}  {path}\n");
                    manifests["sha512"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA512.HashData(content))}  {path}\n");
                    writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{bagName}/{path}") { DataStream = new MemoryStream(content, writable: false) });
                }
                BagBenchmarkSupport.WriteTagFiles(writer, bagName, 1024L * count, count, manifests);
            }
            await using (var warm = File.OpenRead(tar)) await warm.CopyToAsync(Stream.Null, cancellationToken);

            var run = await BagBenchmarkSupport.TimeAsync(busctl, "bag", "validate", tar, "--json");
            if (run.ExitCode != 0)
            {
                Console.Error.WriteLine($"busctl bag validate exited {run.ExitCode}:\n{run.Stdout[..Math.Min(run.Stdout.Length, 4000)]}");
                return 1;
            }
            var rate = count / run.Seconds;
            Console.WriteLine($"## Bag validation: {count:N0} files of 1 KiB");
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine(BagBenchmarkSupport.Row("`bin/busctl bag validate many-bag.tar --json` (published CLI, process start included)", $"{run.Seconds:F2} s wall, {run.CpuSeconds:F2} CPU-s"));
            Console.WriteLine(BagBenchmarkSupport.Row("files per second (goal 20,000)", $"{rate:N0} {(rate >= 20_000 ? "(met)" : "(NOT met)")}"));
            Console.WriteLine(BagBenchmarkSupport.Row("tar size", $"{new FileInfo(tar).Length / (1024.0 * 1024):F0} MiB"));
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
