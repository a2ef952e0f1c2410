using System.Globalization;

namespace Bus.Benchmarks.Ingest;

/// <summary>The Markdown the ingest benchmarks print: a measure table and per-step timings from the saga columns.</summary>
public static class IngestReport
{
    /// <summary>The section title, the run line and the head of the measures table every ingest benchmark prints.</summary>
    public static void Header(FormattableString title, string name)
    {
        Console.WriteLine($"## Ingest: {title.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine();
        Console.WriteLine($"`make bench-{name}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC). Machine: {Machine.Describe()}.");
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
    }

    public static void Row(string what, FormattableString value) => Console.WriteLine(BagBenchmarkSupport.Row(what, value.ToString(CultureInfo.InvariantCulture)));

    public static async Task CommonAsync(IngestBench bench, RunMonitor monitor)
    {
        var foreign = await bench.ForeignTransitionsAsync();
        Row("saga transitions applied by other processes (must be 0)", $"{foreign}{(foreign == 0 ? "" : " (INVALID: another host took part)")}");
        var hwm = bench.Host.PeakResidentKiB() / 1024.0;
        Row("peak resident memory of bus-host (VmHWM; goal < 300 MiB)", $"{hwm:F0} MiB {(hwm < 300 ? "(met)" : "(NOT met)")}");
        Row("CPU during the run: bus-host / the run's own moto_server / the host's PostgreSQL backends / all postgres processes (shared)",
            $"{monitor.HostCpu:F1} / {monitor.MotoCpu:F1} / {monitor.HostBackendCpu:F1} ({monitor.HostBackendCount} backends) / {monitor.PostgresCpu:F1} CPU-s");
        Row("load average", $"{monitor.Load}");
    }

    /// <summary>
    /// What one ingest costs: S3 requests by kind, as the run's own moto_server served them, and CPU
    /// milliseconds per ingest; the rate Bus's own CPU (host + its PostgreSQL backends) allows on this
    /// machine's cores if S3 cost nothing.
    /// </summary>
    public static void PerIngest(RunMonitor monitor, int ingests, double goalCpuMs)
    {
        var total = monitor.S3Requests.Values.Sum();
        Row("S3 requests per ingest (served by the run's own moto_server)", $"{(double)total / ingests:F2} ({total} in all)");
        double Ms(double seconds) => seconds * 1000 / ingests;
        var own = Ms(monitor.HostCpu) + Ms(monitor.HostBackendCpu);
        Row("CPU-ms per ingest: bus-host / its PostgreSQL backends / moto_server", $"{Ms(monitor.HostCpu):F1} / {Ms(monitor.HostBackendCpu):F1} / {Ms(monitor.MotoCpu):F1}");
        Row($"Bus's own CPU per ingest, bus-host + PostgreSQL (goal <= {goalCpuMs:F0} ms)", $"{own:F1} ms {(own <= goalCpuMs ? "(met)" : "(NOT met)")}");
        Row($"ingests/s Bus's own CPU allows on {Environment.ProcessorCount} cores with an S3 that costs nothing", $"{Environment.ProcessorCount * 1000 / own:F0}");
        Row($"ingests/s moto_server's CPU allows (one core: one interpreter lock)", $"{1000 / Ms(monitor.MotoCpu):F1}");
        Console.WriteLine();
        Console.WriteLine("| S3 request (operation, bucket) | in all | per ingest |");
        Console.WriteLine("|---|---|---|");
        foreach (var (kind, count) in monitor.S3Requests.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal))
            Console.WriteLine(FormattableString.Invariant($"| {kind} | {count} | {(double)count / ingests:F2} |"));
    }

    /// <summary>One ingest: each step's seconds (first start to finish) and what is left between steps (saga, queues, outbox).</summary>
    public static void Steps(IngestRow row)
    {
        var wall = (row.FinishedAt!.Value - row.ReceivedAt).TotalSeconds;
        Console.WriteLine();
        Console.WriteLine("| step | attempts | seconds | share |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var s in row.Steps)
            Console.WriteLine(FormattableString.Invariant($"| {s.Step} | {s.Attempts} | {s.Seconds:F2} | {s.Seconds / wall:P0} |"));
        var between = wall - row.Steps.Sum(s => s.Seconds ?? 0);
        Console.WriteLine(FormattableString.Invariant($"| between steps (saga transitions, outbox, queues) | | {between:F2} | {between / wall:P0} |"));
        Console.WriteLine(FormattableString.Invariant($"| saga received → finished | | {wall:F2} | |"));
    }

    /// <summary>Many ingests: each step's median, 95th percentile and maximum seconds.</summary>
    public static void StepDistribution(IReadOnlyList<IngestRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| step | median s | p95 s | max s |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var step in IngestRow.StepNames)
        {
            var seconds = rows.Select(r => r.Steps.Single(s => s.Step == step).Seconds ?? double.NaN).ToList();
            Console.WriteLine(FormattableString.Invariant($"| {step} | {Percentile(seconds, 0.5):F2} | {Percentile(seconds, 0.95):F2} | {seconds.Max():F2} |"));
        }
        var latency = rows.Select(r => (r.FinishedAt!.Value - r.ReceivedAt).TotalSeconds).ToList();
        Console.WriteLine(FormattableString.Invariant($"| one ingest, saga received → finished | {Percentile(latency, 0.5):F2} | {Percentile(latency, 0.95):F2} | {latency.Max():F2} |"));
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
