using System.Diagnostics;
using System.Text.Json;

namespace Bus.IntegrationTests.Registry;

/// <summary>Runs the built busctl as a separate process, as an operator would.</summary>
internal static class Busctl
{
    // busctl's own build output, not the copy beside the tests: the test project's dependency set
    // (ASP.NET shared framework through Bus.Host) lacks packages busctl.deps.json expects.
    private static readonly string Dll = Environment.GetEnvironmentVariable("BUSCTL_DLL") ?? Locate();

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (dir.Name, dir.Parent!.Name);
        var root = dir.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "src", "Bus.Cli", "bin", configuration, framework, "busctl.dll");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
