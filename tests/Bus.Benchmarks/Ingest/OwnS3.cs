using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// A moto_server of the run's own (counting_moto.py): its CPU is this run's alone, it starts empty
/// (moto walks every key it holds to list a bucket, so a shared one slows down as others fill it),
/// and it writes one line per request it served, so the requests an ingest makes are counted by
/// the server, not by the client that makes them. Stopped at the end by its own PID only.
/// </summary>
public sealed class OwnS3 : IAsyncDisposable
{
    private readonly Process _process;

    private OwnS3(Process process, int port, string logPath)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
        LogPath = logPath;
    }

    public string Url { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;

    public static async Task<OwnS3> StartAsync(string folder)
    {
        var port = Bus.IntegrationTests.Support.FreePort.Next();
        var logPath = Path.Combine(folder, "s3-requests.tsv");
        File.WriteAllText(logPath, "");
        var script = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(BagBenchmarkSupport.Busctl()))!, "tests", "Bus.Benchmarks", "Ingest", "counting_moto.py");
        var python = ProcessCpu.Find("moto_server").Select(pid => File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0])
            .FirstOrDefault(p => p.Contains("python", StringComparison.Ordinal)) ?? "python3";
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, port.ToString(CultureInfo.InvariantCulture), logPath }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {python} {script}");
        // werkzeug logs every request to stderr: drained, not kept (the counting log is the record).
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var own = new OwnS3(process, port, logPath);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"{python} {script} exited with {process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return own;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
        }
    }

    public double CpuSeconds() => ProcessCpu.Seconds(_process.Id);

    /// <summary>Lines of the request log so far: a mark to count from.</summary>
    public long Mark() => File.ReadLines(LogPath).LongCount();

    /// <summary>Requests served since <paramref name="mark"/>, by kind (operation, bucket role, status when not 2xx).</summary>
    public IReadOnlyDictionary<string, int> CountSince(long mark, IReadOnlyDictionary<string, string> roles) =>
        File.ReadLines(LogPath).Skip((int)mark).Select(l => Kind(l.Split('\t'), roles)).GroupBy(k => k)
            .ToDictionary(g => g.Key, g => g.Count());

    public static string Kind(string[] f, IReadOnlyDictionary<string, string> roles)
    {
        if (f.Length < 5) return "unreadable log line";
        var (method, path, query, flags, status) = (f[0], f[1], f[2], f[3], f[4]);
        var segments = path.TrimStart('/').Split('/', 2);
        var role = roles.GetValueOrDefault(segments[0], segments[0]);
        var hasKey = segments.Length == 2 && segments[1].Length > 0;
        var copy = flags.Contains('c', StringComparison.Ordinal);
        bool Q(string name) => query.Split('&').Any(p => p == name || p.StartsWith(name + "=", StringComparison.Ordinal));
        var op = (method, hasKey) switch
        {
            ("POST", _) when Q("delete") => "DeleteObjects (batched)",
            ("POST", _) when Q("uploads") => "CreateMultipartUpload",
            ("POST", _) when Q("uploadId") => "CompleteMultipartUpload",
            ("PUT", _) when Q("uploadId") => copy ? "UploadPartCopy" : "UploadPart",
            ("DELETE", _) when Q("uploadId") => "AbortMultipartUpload",
            ("GET", _) when Q("uploadId") => "ListParts",
            ("GET", _) when Q("uploads") => "ListMultipartUploads",
            ("GET", false) => "ListObjects",
            ("HEAD", false) => "HeadBucket",
            ("PUT", true) => copy ? "CopyObject" : "PutObject",
            ("GET", true) => flags.Contains('r', StringComparison.Ordinal) ? "GetObject (ranged)" : "GetObject",
            ("HEAD", true) => "HeadObject",
            ("DELETE", true) => "DeleteObject (one key)",
            _ => $"{method} {(hasKey ? "object" : "bucket")}",
        };
        return $"{op}, {role}{(status.StartsWith('2') ? "" : $" → {status}")}";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(); await _process.WaitForExitAsync(); }
        }
        _process.Dispose();
    }
}
