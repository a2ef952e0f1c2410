using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Transfer;
using Bus.Benchmarks.Ingest;
using Bus.Contracts.Ingest;
using Bus.Platform;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bus.Benchmarks.Chaos;

/// <summary>
/// Ingests under crashes, on a stack of the run's own (<see cref="ChaosStack"/>): SubmitIngest for every bag, then for a
/// window of minutes the bus-host is SIGKILLed 2-6 s after each start answers and started again, the RabbitMQ node is
/// SIGKILLed twice and PostgreSQL crashed twice, each restarted; then one host runs undisturbed until every ingest ended,
/// and <see cref="ChaosChecks"/> decides whether anything was lost or done twice. Exits 1 on any loss.
/// Arguments: <c>classic|quorum</c>, <c>small=40 large=2 seed=1605 seconds=240 wait=1200</c>, and host settings as <c>NAME=VALUE</c>.
/// </summary>
public sealed class ChaosBenchmark : IBenchmark
{
    public string Name => "chaos";
    public string Description => "ingests while bus-host, the RabbitMQ node and PostgreSQL are killed and restarted (own stack on 5674/5434/9002): every ingest completed, nothing lost or doubled";

    private static readonly string[] Knobs = ["small", "large", "seed", "seconds", "wait"];
    private readonly List<string> _events = [];
    private readonly Stopwatch _clock = new();

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var queueType = args.FirstOrDefault(a => !a.Contains('=', StringComparison.Ordinal)) ?? QueueTypes.Classic;
        if (queueType is not (QueueTypes.Classic or QueueTypes.Quorum)) { Console.Error.WriteLine("chaos: queue type must be classic or quorum"); return 2; }
        var pairs = args.Where(a => a.Contains('=', StringComparison.Ordinal)).Select(a => a.Split('=', 2)).ToList();
        int Knob(string name, int fallback) => pairs.LastOrDefault(p => p[0] == name) is { } p ? int.Parse(p[1], CultureInfo.InvariantCulture) : fallback;
        var (small, large, seed, seconds, wait) = (Knob("small", 40), Knob("large", 2), Knob("seed", 1605), Knob("seconds", 240), Knob("wait", 1200));
        var hostSettings = pairs.Where(p => !Knobs.Contains(p[0])).ToDictionary(p => p[0], p => p[1]);
        var schedule = ChaosSchedule.Create(seed, seconds);

        var root = Path.GetDirectoryName(Path.GetDirectoryName(BagBenchmarkSupport.Busctl()))!;
        var stack = new ChaosStack(root);
        var loadBefore = LoadAverage();
        Console.Error.WriteLine($"chaos ({queueType}): {schedule.Describe()}");
        Console.Error.WriteLine($"starting the chaos stack in {stack.Data} (RabbitMQ {ChaosStack.RabbitPort}, PostgreSQL {ChaosStack.PostgresPort}, moto {ChaosStack.S3Port}); load average {loadBefore}");
        await stack.StartFreshAsync();
        BenchHost? host = null;
        try
        {
            using var broker = await ChaosBroker.CreateAsync(queueType);
            var storage = BusConfiguration.Build().GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
            storage.ServiceUrl = stack.S3Url;
            using var s3 = StorageClientFactory.Create(storage);
            foreach (var (_, bucket) in storage.Buckets)
            {
                try { await s3.PutBucketAsync(bucket, cancellationToken); }
                catch (AmazonS3Exception) { } // stack.sh made it already
            }
            var environment = new Dictionary<string, string>(broker.Environment)
            {
                ["Bus__Postgres__ConnectionString"] = stack.ConnectionString, ["Bus__Postgres__MigrationConnectionString"] = stack.OwnerConnectionString,
                ["Bus__Storage__ServiceUrl"] = stack.S3Url,
                // Slices of 1 s and multipart copies from 8 MiB: the large bags are cut into many step messages.
                ["Bus__Ingest__TimeSliceSeconds"] = "1",
                ["Bus__Ingest__MultipartCopyThresholdBytes"] = $"{8 << 20}", ["Bus__Ingest__MultipartCopyPartBytes"] = $"{5 << 20}",
                // A step that outlived its in-process retries (PostgreSQL down) is redelivered after seconds, not minutes.
                ["Bus__Ingest__RedeliveryDelay"] = "00:00:05",
                // A lost step command is found within minutes (its re-sends are counted in the report).
                ["Bus__Watchdog__PollSeconds"] = "10", ["Bus__Watchdog__MarginSeconds"] = "120",
            };
            foreach (var (k, v) in hostSettings) environment[k] = v;
            var institution = $"chaos-{queueType}-{seed}.bench.edu";
            await Busctl.RunAsync(environment, "db", "migrate");
            await Busctl.RunAsync(environment, "institutions", "add", institution, "--name", $"Bus chaos benchmark {queueType}");
            await Busctl.RunAsync(environment, "users", "add", $"depositor@{institution}", "--institution", institution, "--role", "depositor");

            var bags = await ChaosBag.WriteAsync(Directory.CreateDirectory(Path.Combine(stack.Data, "bags")).FullName, $"chaos-{queueType}", small, large, cancellationToken);
            var submits = new List<(ChaosBag Bag, SubmitIngest Submit)>();
            using (var transfer = new TransferUtility(s3))
                foreach (var bag in bags)
                {
                    var key = $"{institution}/{Path.GetFileName(bag.Tar)}";
                    await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = storage.ReceivingBucket, Key = key, FilePath = bag.Tar }, cancellationToken);
                    var etag = (await s3.GetObjectMetadataAsync(storage.ReceivingBucket, key, cancellationToken)).ETag;
                    submits.Add((bag, new SubmitIngest(institution, storage.ReceivingBucket, key, etag, new FileInfo(bag.Tar).Length, null, $"depositor@{institution}", DateTimeOffset.UtcNow)));
                }
            Console.Error.WriteLine($"uploaded {bags.Count} bags ({bags.Sum(b => new FileInfo(b.Tar).Length) / 1048576.0:F0} MiB)");

            var logs = Directory.CreateDirectory(Path.Combine(stack.Data, "logs")).FullName;
            var lives = 0;
            BenchHost StartHost() => BenchHost.Start(Busctl.Published("host", "bus-host"), Path.Combine(logs, $"host-{++lives:D3}.log"), environment, "--roles", "ingest,scheduler");
            host = StartHost();
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(180));
            await PublishAsync(broker.Options, submits.Select(s => s.Submit), cancellationToken);
            var ids = submits.Select(s => s.Submit.IngestId).ToList();
            await using var database = NpgsqlDataSource.Create(stack.ConnectionString);

            _clock.Start();
            Log($"{ids.Count} SubmitIngest published; chaos begins");
            var outages = RunOutagesAsync(stack, schedule, database, ids);
            var (kills, selfExits, neverAnswered) = (0, 0, 0);
            while (_clock.Elapsed.TotalSeconds < schedule.WindowSeconds || !outages.IsCompleted)
            {
                host ??= StartHost();
                var answered = await TryHealthyAsync(host, TimeSpan.FromSeconds(60));
                if (!answered) neverAnswered++;
                var life = schedule.NextHostLife();
                await Task.Delay(TimeSpan.FromSeconds(life), cancellationToken);
                if (host.ExitCode is { } code) { selfExits++; Log($"bus-host #{lives} had exited by itself ({code}); {await ProgressAsync(database, ids)}"); }
                else
                {
                    await host.KillAsync();
                    kills++;
                    Log($"bus-host #{lives} SIGKILLed {life:F1} s after it {(answered ? "answered" : "was started (it never answered in 60 s)")}; {await ProgressAsync(database, ids)}");
                }
                await host.DisposeAsync();
                host = null;
            }
            await outages;
            Log("chaos over: one bus-host runs undisturbed until every ingest ended");
            host = StartHost();
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(180));
            var ended = await WaitForEndAsync(database, ids, TimeSpan.FromSeconds(wait), cancellationToken);
            Log(ended ? $"every ingest ended; {await ProgressAsync(database, ids)}" : $"not every ingest ended within {wait} s; {await ProgressAsync(database, ids)}");
            // Workflow messages after the last transition (cleanup, outbox delivery) get a moment to drain before the queues are read.
            await DrainAsync(database, TimeSpan.FromSeconds(120));

            var checks = new ChaosChecks(database, s3, storage, broker, institution);
            await checks.RunAsync(submits.Select(s => (s.Bag, s.Submit.IngestId)).ToList(), cancellationToken);
            var queueTypes = (await broker.QueueTypesAsync()).GroupBy(q => q.Value).Select(g => $"{g.Count()} {g.Key}");

            Console.WriteLine($"\n## Chaos ({queueType} queues), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
            Console.WriteLine($"`make bench-chaos ARGS=\"{string.Join(' ', args)}\"`; load average at the start {loadBefore}, at the end {LoadAverage()}.\n");
            Console.WriteLine($"- bags: {string.Join(", ", bags.GroupBy(b => b.Kind).Select(g => $"{g.Count()} × {g.Key}"))}");
            Console.WriteLine($"- schedule: {schedule.Describe()}");
            Console.WriteLine($"- bus-host: {lives} starts, {kills} SIGKILLs, {selfExits} exits on its own, {neverAnswered} starts that never answered /health/ready within 60 s");
            Console.WriteLine($"- broker queues at the end: {string.Join(", ", queueTypes)} (vhost {broker.VirtualHost})");
            Console.WriteLine($"- host settings: {string.Join(", ", environment.Where(e => e.Key.StartsWith("Bus__Ingest", StringComparison.Ordinal) || e.Key.StartsWith("Bus__Watchdog", StringComparison.Ordinal) || hostSettings.ContainsKey(e.Key)).Select(e => $"`{e.Key}={e.Value}`"))}\n");
            Console.WriteLine("| check | result |\n|---|---|");
            foreach (var (check, result) in checks.Lines) Console.WriteLine($"| {check} | {result.Replace("|", "\\|", StringComparison.Ordinal)} |");
            Console.WriteLine("\nEvents:\n```");
            foreach (var e in _events) Console.WriteLine(e);
            Console.WriteLine("```");
            Console.WriteLine(checks.Failures.Count == 0 ? "\nResult: nothing lost, nothing doubled." : $"\nResult: **{checks.Failures.Count} failed checks**; logs in {logs}");
            return checks.Failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (host is not null) await host.DisposeAsync();
            // The logs outlive the stack (the next run empties .local/chaos).
            try
            {
                var kept = Path.Combine(root, "artifacts", "bench", $"chaos-{queueType}-logs");
                if (Directory.Exists(kept)) Directory.Delete(kept, recursive: true);
                if (Directory.Exists(Path.Combine(stack.Data, "logs"))) CopyDirectory(Path.Combine(stack.Data, "logs"), kept);
            }
            catch (IOException e) { Console.Error.WriteLine($"keeping the host logs: {e.Message}"); }
            await stack.DownAsync();
        }
    }

    private void Log(string line)
    {
        var stamped = string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,6:F1} s  {line}");
        _events.Add(stamped);
        Console.Error.WriteLine(stamped);
    }

    /// <summary>The outages in order, each at its time: kill or crash, stay down, restart (and wait until the server answers).</summary>
    private async Task RunOutagesAsync(ChaosStack stack, ChaosSchedule schedule, NpgsqlDataSource database, IReadOnlyList<Guid> ids)
    {
        foreach (var outage in schedule.Outages)
        {
            var wait = TimeSpan.FromSeconds(outage.AtSeconds) - _clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var progress = await ProgressAsync(database, ids);
            if (outage.Kind == Outage.RabbitMqSigkill) await stack.KillRabbitAsync();
            else await stack.CrashPostgresAsync(sigkill: outage.Kind == Outage.PostgresSigkill);
            Log($"{ChaosSchedule.Name(outage.Kind)}; {progress}");
            await Task.Delay(TimeSpan.FromSeconds(outage.DownSeconds));
            var server = outage.Kind == Outage.RabbitMqSigkill ? "rabbitmq" : "postgres";
            var restart = Stopwatch.StartNew();
            await stack.UpAsync(server);
            Log($"{server} restarted (down {outage.DownSeconds:F1} s, start {restart.Elapsed.TotalSeconds:F1} s)");
        }
    }

    private static async Task<bool> TryHealthyAsync(BenchHost host, TimeSpan timeout)
    {
        try { await host.WaitUntilHealthyAsync(timeout); return true; }
        catch (TimeoutException) { return false; }
        catch (InvalidOperationException) { return false; } // it exited
    }

    private static async Task<string> ProgressAsync(NpgsqlDataSource database, IReadOnlyList<Guid> ids)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var rows = await IngestRow.LoadAsync(database, ids, timeout.Token);
            return string.Join(", ", rows.GroupBy(r => r.State).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return "ingest states unreadable (PostgreSQL down)";
        }
    }

    private async Task<bool> WaitForEndAsync(NpgsqlDataSource database, IReadOnlyList<Guid> ids, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (clock.Elapsed < timeout)
        {
            var rows = await IngestRow.LoadAsync(database, ids, ct);
            if (rows.Count == ids.Count && rows.All(r => IngestRow.Terminal.Contains(r.State))) return true;
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30)) { lastReport = clock.Elapsed; Log(await ProgressAsync(database, ids)); }
            await Task.Delay(1000, ct);
        }
        return false;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) until the outbox has nothing left to deliver.</summary>
    private static async Task DrainAsync(NpgsqlDataSource database, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            await using var command = database.CreateCommand("SELECT count(*) FROM bus.outbox_state WHERE delivered_at IS NULL AND parked_at IS NULL");
            if ((long)(await command.ExecuteScalarAsync())! == 0) break;
            await Task.Delay(500);
        }
        await Task.Delay(TimeSpan.FromSeconds(5)); // the last deliveries' consumers acknowledge
    }

    private static async Task PublishAsync(RabbitMqOptions o, IEnumerable<SubmitIngest> submits, CancellationToken ct)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, h =>
            {
                h.Username(o.Username);
                h.Password(o.Password);
                h.PublisherConfirmation = true;
            });
            // The ingest saga accepts a SubmitIngest only with a (broker-verified) user_id.
            cfg.ConfigurePublish(s => s.UseExecute(c => global::Bus.Platform.Messaging.BrokerIdentity.Stamp(c, o.Username)));
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        try { foreach (var submit in submits) await bus.Publish(submit, ct); }
        finally { await bus.StopAsync(TimeSpan.FromSeconds(10)); }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }
}
