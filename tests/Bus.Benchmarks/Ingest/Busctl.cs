using System.Diagnostics;

namespace Bus.Benchmarks.Ingest;

/// <summary>The published busctl and bus-host that <c>make build</c> leaves in artifacts/publish (make bench-NAME builds first).</summary>
public static class Busctl
{
    public static string Published(string folder, string name)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(BagBenchmarkSupport.Busctl()))!;
        var path = Path.Combine(root, "artifacts", "publish", folder, name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run make build");
    }

    /// <summary>Runs busctl with <paramref name="environment"/> added; throws with its output unless it exits 0.</summary>
    public static async Task<string> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Published("cli", "busctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_ENVIRONMENT"] = "Test";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"busctl {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout;
    }
}
