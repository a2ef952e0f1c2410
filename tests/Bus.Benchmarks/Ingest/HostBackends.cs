using System.Globalization;
using Npgsql;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// CPU of the PostgreSQL backends serving one process (the bench host), not of the whole shared
/// server: the host's TCP connections to PostgreSQL's port are found from its own sockets
/// (/proc/PID/fd and /proc/PID/net/tcp), matched to backends by client port in pg_stat_activity, and
/// each backend's CPU read from /proc. Sampled: a backend the pool closes between two samples
/// counts up to its last sample.
/// </summary>
public sealed class HostBackends(int hostPid, int postgresPort, NpgsqlDataSource database)
{
    private readonly Dictionary<int, double> _baseline = [];
    private readonly Dictionary<int, double> _last = [];
    private bool _started;

    /// <summary>Takes a sample: the first one is the baseline (backends opened later count from zero).</summary>
    public async Task SampleAsync()
    {
        var ports = LocalPortsTo(hostPid, postgresPort);
        if (ports.Count == 0) { _started = true; return; }
        var pids = new List<int>();
        await using (var command = database.CreateCommand("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(@ports)"))
        {
            command.Parameters.AddWithValue("ports", ports.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        }
        foreach (var pid in pids)
        {
            var cpu = ProcessCpu.Seconds(pid);
            if (double.IsNaN(cpu)) continue;
            if (!_started) _baseline[pid] = cpu;
            _last[pid] = cpu;
        }
        _started = true;
    }

    public int Backends => _last.Count;

    public double CpuSeconds => _last.Sum(p => p.Value - _baseline.GetValueOrDefault(p.Key));

    /// <summary>Local ports of <paramref name="pid"/>'s TCP sockets connected to <paramref name="remotePort"/>.</summary>
    private static List<int> LocalPortsTo(int pid, int remotePort)
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)) inodes.Add(target[8..^1]);
            }
            catch (IOException) { }
        }
        var ports = new List<int>();
        foreach (var table in new[] { "tcp", "tcp6" })
        {
            var path = $"/proc/{pid}/net/{table}";
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || !inodes.Contains(f[9])) continue;
                if (int.Parse(f[2].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != remotePort) continue;
                ports.Add(int.Parse(f[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        return ports;
    }
}
