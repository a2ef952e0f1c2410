using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Bus.Benchmarks.Chaos;

/// <summary>
/// A RabbitMQ node, a PostgreSQL cluster and a moto_server of the chaos run's own, started by scripts/stack.sh with its
/// ports, node name and data folder moved (<c>.local/chaos/</c> of the checkout). The run kills and restarts them, so it
/// never works on the shared stack: it refuses the shared ports, and it signals only the processes whose PID files are in
/// its own data folder and whose command line names that folder.
/// </summary>
public sealed class ChaosStack
{
    public const int RabbitPort = 5674, ManagementPort = 15674, DistPort = 25674, PostgresPort = 5434, S3Port = 9002;
    public const string Node = "chaos@localhost";
    private const string PgBin = "/usr/lib/postgresql/15/bin";

    public ChaosStack(string root)
    {
        Root = root;
        Data = Path.Combine(root, ".local", "chaos");
        if (new[] { RabbitPort, ManagementPort, PostgresPort, S3Port }.Intersect([5673, 15673, 5433, 9000]).Any())
            throw new InvalidOperationException("the chaos stack must not use the shared stack's ports");
    }

    public string Root { get; }
    public string Data { get; }
    public string S3Url => $"http://127.0.0.1:{S3Port}";
    public string ConnectionString => $"Host=127.0.0.1;Port={PostgresPort};Database=bus;Username=bus;Password=bus;Maximum Pool Size=50";
    public string OwnerConnectionString => $"Host=127.0.0.1;Port={PostgresPort};Database=bus;Username=bus_owner;Password=bus-owner;Pooling=false";
    private string PgData => Path.Combine(Data, "postgres");

    private Dictionary<string, string> StackEnvironment => new()
    {
        ["BUS_STACK_DATA"] = Data, ["BUS_RABBIT_PORT"] = $"{RabbitPort}", ["BUS_RABBIT_MGMT_PORT"] = $"{ManagementPort}",
        ["BUS_RABBIT_DIST_PORT"] = $"{DistPort}", ["BUS_RABBIT_NODE"] = Node, ["BUS_PG_PORT"] = $"{PostgresPort}", ["BUS_S3_PORT"] = $"{S3Port}",
    };

    /// <summary>A fresh stack: the previous run's servers (ours, by PID file) stopped, the data folder emptied, all three started.</summary>
    public async Task StartFreshAsync()
    {
        if (Directory.Exists(Data)) await StackAsync("down");
        foreach (var port in new[] { RabbitPort, ManagementPort, PostgresPort, S3Port })
            if (await PortOpenAsync(port)) throw new InvalidOperationException($"port {port} answers but is not the chaos stack's (no PID file in {Data}): stop it or move the chaos ports");
        if (Directory.Exists(Data)) Directory.Delete(Data, recursive: true);
        await StackAsync("up");
    }

    public Task UpAsync(string server) => StackAsync("up", server);
    public Task DownAsync() => StackAsync("down");

    private async Task StackAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(Root, "scripts", "stack.sh"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in StackEnvironment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"stack.sh {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    /// <summary>SIGKILL of the node's Erlang VM (its PID file), then waits for its start script to end so it can be started again.</summary>
    public async Task KillRabbitAsync()
    {
        var beam = OwnPid(Path.Combine(Data, "rabbitmq", "rabbit.pid"));
        Process.GetProcessById(beam).Kill();
        await WaitGoneAsync([beam], TimeSpan.FromSeconds(30));
        if (File.Exists(Path.Combine(Data, "rabbitmq.pid")) && int.TryParse(File.ReadAllText(Path.Combine(Data, "rabbitmq.pid")).Trim(), out var script))
            await WaitGoneAsync([script], TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// A PostgreSQL crash: <c>pg_ctl stop -m immediate</c> (no checkpoint: crash recovery at the next start), or SIGKILL of
    /// the postmaster, after which its backends notice they are orphans and exit (they are waited for, then killed, so the
    /// next start does not find the old shared memory in use).
    /// </summary>
    public async Task CrashPostgresAsync(bool sigkill)
    {
        var postmaster = OwnPid(Path.Combine(PgData, "postmaster.pid"));
        var children = ChildrenOf(postmaster);
        if (sigkill) Process.GetProcessById(postmaster).Kill();
        else await RunAsPostgresAsync($"'{PgBin}/pg_ctl' -D '{PgData}' -m immediate -w stop");
        if (!await WaitGoneAsync([postmaster, .. children], TimeSpan.FromSeconds(20)))
            foreach (var pid in children.Where(Alive)) { try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } }
        await WaitGoneAsync([postmaster, .. children], TimeSpan.FromSeconds(20));
    }

    /// <summary>A PID from a PID file of this stack, checked to be a process whose command line names this stack's data folder.</summary>
    private int OwnPid(string pidFile)
    {
        var pid = int.Parse(File.ReadLines(pidFile).First().Trim(), CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        if (!commandLine.Contains(Data, StringComparison.Ordinal)) throw new InvalidOperationException($"PID {pid} from {pidFile} is not a process of {Data}: not signalled");
        return pid;
    }

    private static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent) children.Add(pid);
            }
            catch (IOException) { }
        }
        return children;
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static async Task<bool> WaitGoneAsync(IReadOnlyList<int> pids, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (pids.Any(Alive))
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(100);
        }
        return true;
    }

    private static async Task RunAsPostgresAsync(string command)
    {
        var info = new ProcessStartInfo("su") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "postgres", "-s", "/bin/sh", "-c", command }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} exited {process.ExitCode}: {await stderr}");
    }

    private static async Task<bool> PortOpenAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (SocketException) { return false; }
        catch (TimeoutException) { return false; }
    }
}
