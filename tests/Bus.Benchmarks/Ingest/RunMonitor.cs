using System.Globalization;
using Npgsql;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// What the machine and the processes did while an ingest ran: the load average (sampled every second,
/// the machine is shared), the CPU seconds of the host, of the run's own moto_server, of the PostgreSQL
/// backends serving the host and of all PostgreSQL processes (shared), and the S3 requests served.
/// </summary>
public sealed class RunMonitor : IAsyncDisposable
{
    private readonly IngestBench _bench;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly List<double> _loads = [];
    private readonly double _hostCpu;
    private readonly double _motoCpu;
    private readonly long _s3Mark;
    private readonly HostBackends _backends;
    private readonly Dictionary<int, double> _postgres = ProcessCpu.Snapshot("postgres: ");

    private RunMonitor(IngestBench bench, HostBackends backends)
    {
        _bench = bench;
        _hostCpu = bench.Host.CpuSeconds();
        _motoCpu = bench.OwnS3.CpuSeconds();
        _s3Mark = bench.OwnS3.Mark();
        _backends = backends;
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                lock (_loads) _loads.Add(LoadAverage());
                await _backends.SampleAsync();
                try { await Task.Delay(1000, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    /// <summary>Starts watching once the host's PostgreSQL backends have their baseline.</summary>
    public static async Task<RunMonitor> StartAsync(IngestBench bench)
    {
        var backends = new HostBackends(bench.Host.Id, new NpgsqlConnectionStringBuilder(IngestBench.ConnectionString).Port, IngestBench.Database);
        await backends.SampleAsync();
        return new RunMonitor(bench, backends);
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Stops sampling and takes the CPU readings; call when the last ingest ended.</summary>
    public async Task StopAsync()
    {
        HostCpu = _bench.Host.CpuSeconds() - _hostCpu;
        MotoCpu = _bench.OwnS3.CpuSeconds() - _motoCpu;
        PostgresCpu = ProcessCpu.Since(_postgres, "postgres: ");
        await _stop.CancelAsync();
        await _sampler;
        await _backends.SampleAsync();
        HostBackendCpu = _backends.CpuSeconds;
        HostBackendCount = _backends.Backends;
        var roles = _bench.Storage.Buckets.ToDictionary(b => b.Bucket, b => b.Role);
        S3Requests = _bench.OwnS3.CountSince(_s3Mark, roles);
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
    /// <summary>CPU of the PostgreSQL backends connected to the host (its share of PostgreSQL's work).</summary>
    public double HostBackendCpu { get; private set; }
    public int HostBackendCount { get; private set; }
    public IReadOnlyDictionary<string, int> S3Requests { get; private set; } = new Dictionary<string, int>();

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
