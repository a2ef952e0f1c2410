using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// The published bus-host (artifacts/publish/host, what <c>make build</c> leaves) run as its own
/// process, as operators run it. Its log goes to a file, not to this process's memory: a 10,000-file
/// ingest logs a lot. Only this process is ever stopped, by its own PID.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;
    private readonly StreamWriter _log;

    private BenchHost(Process process, StreamWriter log, Uri healthUrl, string logPath)
    {
        _process = process;
        _log = log;
        HealthUrl = healthUrl;
        LogPath = logPath;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    /// <summary>The exit code once the host has ended on its own or been killed, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>SIGKILL (a crash: no graceful stop, nothing flushed), of this process only; waits for its end.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
    }
    public Uri HealthUrl { get; }
    public string LogPath { get; }

    public static BenchHost Start(string executable, string logPath, IDictionary<string, string> environment, params string[] args)
    {
        var url = new Uri($"http://127.0.0.1:{Bus.IntegrationTests.Support.FreePort.Next()}");
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"--Bus:Host:HealthUrl={url}");
        foreach (var a in args) info.ArgumentList.Add(a);
        // Test: the host refuses anything but loopback endpoints.
        info.Environment["DOTNET_ENVIRONMENT"] = "Test";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var log = new StreamWriter(logPath) { AutoFlush = false };
        return new BenchHost(Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}"), log, url, logPath);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.WriteLine(line);
    }

    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"bus-host exited with {_process.ExitCode}; log in {LogPath}");
            try
            {
                using var response = await Http.GetAsync(new Uri(HealthUrl, "/health/ready"));
                var report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
                if (report.RootElement.GetProperty("status").GetString() == "Healthy") return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"bus-host not healthy after {timeout}; log in {LogPath}");
    }

    /// <summary>
    /// /proc/PID/status VmHWM: the kernel's high-water mark of the resident set since the process
    /// started, so one read at the end gives the peak with no sampling gaps.
    /// </summary>
    public long PeakResidentKiB() => StatusKiB("VmHWM:");

    public long ResidentKiB() => StatusKiB("VmRSS:");

    /// <summary>
    /// Resets the kernel's high-water mark (VmHWM) to the resident set now (writing 5 to /proc/PID/clear_refs), so
    /// <see cref="PeakResidentKiB"/> then gives the peak of what runs from here on. Returns the resident set at the reset.
    /// </summary>
    public long ResetPeak()
    {
        File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");
        return ResidentKiB();
    }

    private long StatusKiB(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>User + system CPU seconds the host has used so far.</summary>
    public double CpuSeconds() => ProcessCpu.Seconds(_process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first (the host's graceful stop), then SIGKILL if it hangs: only our own PID.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        }
        _process.WaitForExit();
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}

/// <summary>CPU time of a process from /proc/PID/stat (utime + stime, in clock ticks of 1/100 s).</summary>
public static class ProcessCpu
{
    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException) { return double.NaN; }
    }

    /// <summary>The PIDs whose command line contains <paramref name="fragment"/> (to watch the shared servers' CPU, never to signal them).</summary>
    public static IReadOnlyList<int> Find(string fragment)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(fragment, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>CPU seconds of every process matching <paramref name="fragment"/> now, by PID.</summary>
    public static Dictionary<int, double> Snapshot(string fragment) =>
        Find(fragment).Select(pid => (pid, Seconds(pid))).Where(p => !double.IsNaN(p.Item2)).ToDictionary(p => p.pid, p => p.Item2);

    /// <summary>
    /// CPU used since <paramref name="before"/> by the matching processes alive now (a PostgreSQL backend
    /// opened since counts from zero; one that exited in between is missed).
    /// </summary>
    public static double Since(Dictionary<int, double> before, string fragment) =>
        Snapshot(fragment).Sum(p => p.Value - before.GetValueOrDefault(p.Key));
}
