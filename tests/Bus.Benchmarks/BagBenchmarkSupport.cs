using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bus.Benchmarks;

/// <summary>What the bag benchmarks share: writing a generated bag tar, and timing a process with its peak RSS.</summary>
internal static class BagBenchmarkSupport
{
    public static readonly string[] Algorithms = ["md5", "sha1", "sha256", "sha512"];

    /// <summary>The published busctl that <c>make build</c> leaves in bin/ (make bench-NAME builds first).</summary>
    public static string Busctl()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bin", "busctl");
            if (File.Exists(Path.Combine(dir.FullName, "Bus.sln")))
                return File.Exists(candidate) ? candidate : throw new InvalidOperationException($"{candidate} is missing: run make build");
        }
        throw new InvalidOperationException("cannot find the repository root (Bus.sln)");
    }

    /// <summary>
    /// Runs a program under GNU time: wall seconds, CPU seconds (user + system, waited children
    /// included: less sensitive than wall time to a machine shared with other work), peak resident KiB.
    /// </summary>
    public static async Task<(double Seconds, double CpuSeconds, long PeakRssKiB, int ExitCode, string Stdout)> TimeAsync(string program, params string[] args)
    {
        var report = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-f", "%e %M %U %S", "-o", report, program }.Concat(args)) start.ArgumentList.Add(a);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var seconds = clock.Elapsed.TotalSeconds;
            await stderr;
            var fields = (await File.ReadAllTextAsync(report)).Trim().Split('\n')[^1].Split(' ');
            var cpu = double.Parse(fields[2], CultureInfo.InvariantCulture) + double.Parse(fields[3], CultureInfo.InvariantCulture);
            return (seconds, cpu, long.Parse(fields[1], CultureInfo.InvariantCulture), process.ExitCode, await stdout);
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>
    /// The reference: one <c>tee</c> feeding four <c>openssl dgst</c> processes through FIFOs (so the
    /// shell waits for all four), as measured on this machine. Returns the wall time and the digests.
    /// </summary>
    public static async Task<(double Seconds, double CpuSeconds, Dictionary<string, string> Digests)> TeeOpensslAsync(string payload, string workDir)
    {
        var script = new StringBuilder("set -e\n");
        foreach (var a in Algorithms) script.Append(CultureInfo.InvariantCulture, $"rm -f {workDir}/{a}.fifo; mkfifo {workDir}/{a}.fifo\n");
        foreach (var a in Algorithms) script.Append(CultureInfo.InvariantCulture, $"openssl dgst -{a} -r < {workDir}/{a}.fifo > {workDir}/{a}.out &\n");
        script.Append(CultureInfo.InvariantCulture, $"tee {string.Join(' ', Algorithms.Select(a => $"{workDir}/{a}.fifo"))} < '{payload}' > /dev/null\nwait\n");
        var run = await TimeAsync("bash", "-c", script.ToString());
        if (run.ExitCode != 0) throw new InvalidOperationException("tee | openssl pipeline failed");
        var digests = Algorithms.ToDictionary(a => a, a => File.ReadAllText(Path.Combine(workDir, $"{a}.out")).Split(' ')[0].Trim());
        foreach (var a in Algorithms) { File.Delete(Path.Combine(workDir, $"{a}.fifo")); File.Delete(Path.Combine(workDir, $"{a}.out")); }
        return (run.Seconds, run.CpuSeconds, digests);
    }

    /// <summary>
    /// Writes tag files (bagit.txt, bag-info.txt with Payload-Oxum, aptrust-info.txt, the four
    /// payload manifests, an md5 tag manifest) after the payload entries already in <paramref name="writer"/>.
    /// </summary>
    public static void WriteTagFiles(TarWriter writer, string bagName, long payloadBytes, int payloadCount, Dictionary<string, StringBuilder> manifests)
    {
        var tags = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["bagit.txt"] = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"u8.ToArray(),
            ["bag-info.txt"] = Encoding.UTF8.GetBytes($"Source-Organization: Bus benchmarks\nBagging-Date: 2026-11-22\nPayload-Oxum: {payloadBytes}.{payloadCount}\n"),
            ["aptrust-info.txt"] = "Title: Benchmark bag\nAccess: Institution\nStorage-Option: Standard\n"u8.ToArray(),
        };
        foreach (var (algorithm, lines) in manifests) tags[$"manifest-{algorithm}.txt"] = Encoding.UTF8.GetBytes(lines.ToString());
        var tagManifest = new StringBuilder();
#pragma warning disable CA5351 // md5 is BagIt fixity here, not security
        foreach (var (name, bytes) in tags) tagManifest.Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(MD5.HashData(bytes))}  {name}\n");
#pragma warning restore CA5351
        tags["tagmanifest-md5.txt"] = Encoding.UTF8.GetBytes(tagManifest.ToString());
        foreach (var (name, bytes) in tags)
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{bagName}/{name}") { DataStream = new MemoryStream(bytes) });
    }

    public static string Row(string what, string value) => $"| {what} | {value} |";
}
