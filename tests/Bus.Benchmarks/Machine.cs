using System.Runtime.InteropServices;

namespace Bus.Benchmarks;

public static class Machine
{
    /// <summary>One line describing where a figure was measured.</summary>
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memGiB:F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
