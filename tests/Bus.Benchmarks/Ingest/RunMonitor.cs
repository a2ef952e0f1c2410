using System.Globalization;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// What the machine and the processes did while an ingest ran: the load average (sampled every second,
/// the machine is shared) and the CPU seconds of the host and of the shared moto_server and PostgreSQL.
/// </summary>
public sealed class RunMonitor : IAsyncDisposable
{
    private readonly IngestBench _bench;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly List<double> _loads = [];
    private readonly double _hostCpu;
    private readonly Dictionary<int, double> _moto = ProcessCpu.Snapshot("moto_server");
    private readonly Dictionary<int, double> _postgres = ProcessCpu.Snapshot("postgres: ");

    public RunMonitor(IngestBench bench)
    {
        _bench = bench;
        _hostCpu = bench.Host.CpuSeconds();
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                lock (_loads) _loads.Add(LoadAverage());
                try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Stops sampling and takes the CPU readings; call when the last ingest ended.</summary>
    public async Task StopAsync()
    {
        HostCpu = _bench.Host.CpuSeconds() - _hostCpu;
        MotoCpu = ProcessCpu.Since(_moto, "moto_server");
        PostgresCpu = ProcessCpu.Since(_postgres, "postgres: ");
        await _stop.CancelAsync();
        await _sampler;
    }

    public string Load
    {
        get
        {
            lock (_loads)
                return _loads.Count == 0 ? "?" : FormattableString.Invariant($"{_loads[0]:F1} at start, {_loads.Max():F1} max, {_loads[^1]:F1} at end (1-min, 2 cores)");
        }
    }

    public double HostCpu { get; private set; }
    public double MotoCpu { get; private set; }
    public double PostgresCpu { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
