using System.Diagnostics;
using System.Text;

namespace Bus.IntegrationTests.Support;

/// <summary>
/// A Bus executable run as its own process, as operators run it. Output is captured; the process
/// is killed (by its own PID, never anything else) if a test leaves it running.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ExternalProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static ExternalProcess Start(string executable, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_ENVIRONMENT"] = "Test";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return new ExternalProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}"));
    }

    /// <summary>Runs to completion and returns the exit code; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<ExternalProcess> RunAsync(string executable, IEnumerable<string> args,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var p = Start(executable, args, environment);
        await p.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return p;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id} still running after {timeout}; stderr: {Stderr}");
        }
        _process.WaitForExit(); // flushes the redirected output
    }

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public void Terminate() => Posix.Kill(_process.Id, Posix.SigTerm);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
