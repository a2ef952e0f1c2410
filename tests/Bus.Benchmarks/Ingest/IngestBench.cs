using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Bus.Contracts.Ingest;
using Bus.IntegrationTests.Support;
using Bus.Platform;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// An end-to-end ingest run on the shared local stack that disturbs no one: a RabbitMQ vhost of its
/// own (so no other host consumes its messages and its host consumes no one else's), the published
/// bus-host with the ingest role in it, and a unique institution. Everything it writes is removed
/// at the end: S3 objects in all four buckets, the vhost, saga, interim and registry rows, the
/// institution.
/// </summary>
public sealed class IngestBench : IAsyncDisposable
{
    private readonly string _name;
    private readonly TemporaryVirtualHost _vhost;
    private readonly List<Guid> _ingests = [];
    private readonly List<(string Name, BenchHost Host)> _extraHosts = [];
    private Dictionary<string, string> _hostEnvironment = [];

    private IngestBench(string name, TemporaryVirtualHost vhost, string folder, StorageOptions storage, IAmazonS3 s3, string institution, OwnS3 ownS3)
    {
        _name = name;
        _vhost = vhost;
        OwnS3 = ownS3;
        Folder = folder;
        Storage = storage;
        S3 = s3;
        Institution = institution;
    }

    public string Folder { get; }
    public StorageOptions Storage { get; }
    public IAmazonS3 S3 { get; }
    public string Institution { get; }
    /// <summary>The run's own moto_server: the host and this process use it, nobody else.</summary>
    public OwnS3 OwnS3 { get; }
    public BenchHost Host { get; private set; } = null!;
    public IBusControl Bus { get; private set; } = null!;
    /// <summary>
    /// BUS_BENCH_POSTGRES, when set, gives the run a database of its own (host, busctl and this process):
    /// while hosts built without the outbox's vhost scope share the database, they deliver this run's
    /// outbox rows into their own vhosts (see docs/benchmarks.md).
    /// </summary>
    public static string ConnectionString { get; } = Environment.GetEnvironmentVariable("BUS_BENCH_POSTGRES") is { Length: > 0 } own
        ? own : new PostgresOptions().ConnectionString;

    /// <summary>The owner role on the same database, for busctl db migrate.</summary>
    public static string OwnerConnectionString { get; } = new NpgsqlConnectionStringBuilder(ConnectionString)
    {
        Username = new NpgsqlConnectionStringBuilder(new PostgresOptions().MigrationConnectionString).Username,
        Password = new NpgsqlConnectionStringBuilder(new PostgresOptions().MigrationConnectionString).Password,
    }.ConnectionString;

    public static NpgsqlDataSource Database { get; } = NpgsqlDataSource.Create(ConnectionString);

    public static async Task<IngestBench> StartAsync(string name, IDictionary<string, string>? hostEnvironment = null, string roles = "ingest,scheduler")
    {
        var configuration = BusConfiguration.Build();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var folder = Directory.CreateTempSubdirectory($"bus-bench-{name}-").FullName;
        var ownS3 = await OwnS3.StartAsync(folder);
        storage.ServiceUrl = ownS3.Url;
        TemporaryVirtualHost vhost;
        try { vhost = await TemporaryVirtualHost.CreateAsync(); }
        catch { await ownS3.DisposeAsync(); throw; }
        var bench = new IngestBench(name, vhost, folder, storage,
            StorageClientFactory.Create(storage), $"bench-{Guid.NewGuid():N}"[..14] + ".bench.edu", ownS3);
        try
        {
            foreach (var (_, bucket) in storage.Buckets) await bench.S3.PutBucketAsync(bucket);
            var environment = new Dictionary<string, string>(vhost.Environment)
            {
                ["Bus__Postgres__ConnectionString"] = ConnectionString, ["Bus__Postgres__MigrationConnectionString"] = OwnerConnectionString,
                ["Bus__Storage__ServiceUrl"] = ownS3.Url,
            };
            await Busctl.RunAsync(environment, "db", "migrate");
            await Busctl.RunAsync(environment, "institutions", "add", bench.Institution, "--name", $"Bus benchmark {name}");
            await Busctl.RunAsync(environment, "users", "add", bench.Submitter, "--institution", bench.Institution, "--role", "depositor");
            foreach (var (k, v) in hostEnvironment ?? new Dictionary<string, string>()) environment[k] = v;
            // Only the ingest role: the scheduler and fixity roles would claim the other engineers'
            // rows in the shared PostgreSQL (scheduled messages, due copies) into this vhost.
            bench._hostEnvironment = environment;
            bench.Host = BenchHost.Start(Busctl.Published("host", "bus-host"), Path.Combine(bench.Folder, "host.log"), environment, "--roles", roles);
            await bench.Host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(120));
            bench.Bus = await StartBusAsync(vhost.Name);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    private static async Task<IBusControl> StartBusAsync(string virtualHost)
    {
        var o = new RabbitMqOptions();
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(o.Host, (ushort)o.Port, virtualHost, h =>
            {
                h.Username(o.Username);
                h.Password(o.Password);
                h.PublisherConfirmation = true;
            });
            // The ingest saga accepts a SubmitIngest only with a (broker-verified) user_id.
            cfg.ConfigureSend(s => s.UseExecute(c => global::Bus.Platform.Messaging.BrokerIdentity.Stamp(c, o.Username)));
            cfg.ConfigurePublish(s => s.UseExecute(c => global::Bus.Platform.Messaging.BrokerIdentity.Stamp(c, o.Username)));
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        return bus;
    }

    /// <summary>
    /// Another bus-host on the run's vhost, database and S3, with only <paramref name="roles"/> (a restore-only host, so
    /// its memory is the restore's and not the ingest's before it); stopped with the run, its log kept beside the first.
    /// </summary>
    public async Task<BenchHost> StartHostAsync(string name, string roles)
    {
        var host = BenchHost.Start(Busctl.Published("host", "bus-host"), Path.Combine(Folder, $"{name}-host.log"), _hostEnvironment, "--roles", roles);
        _extraHosts.Add((name, host));
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(120));
        return host;
    }

    /// <summary>The registry user of <see cref="Institution"/> the benchmark submits as.</summary>
    public string Submitter => $"depositor@{Institution}";

    /// <summary>Uploads a tar to the receiving bucket as a depositor (or busctl) would; returns the SubmitIngest for it.</summary>
    public async Task<SubmitIngest> UploadAsync(string tar, CancellationToken ct)
    {
        var key = $"{Institution}/{Path.GetFileName(tar)}";
        using var transfer = new TransferUtility(S3);
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = Storage.ReceivingBucket, Key = key, FilePath = tar }, ct);
        var etag = (await S3.GetObjectMetadataAsync(Storage.ReceivingBucket, key, ct)).ETag;
        var submit = new SubmitIngest(Institution, Storage.ReceivingBucket, key, etag, new FileInfo(tar).Length, null, Submitter, DateTimeOffset.UtcNow);
        lock (_ingests) _ingests.Add(submit.IngestId);
        return submit;
    }

    /// <summary>Polls the saga table until every ingest has ended (or <paramref name="timeout"/>); returns their rows.</summary>
    public async Task<IReadOnlyList<IngestRow>> WaitForEndAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var lastChange = TimeSpan.Zero;
        var lastStates = "";
        while (true)
        {
            var rows = await IngestRow.LoadAsync(Database, ids, ct);
            var ended = rows.Count(r => IngestRow.Terminal.Contains(r.State));
            if (rows.Count == ids.Count && ended == ids.Count) return rows;
            var now = string.Join(",", rows.Select(r => $"{r.State}{r.Steps.Sum(s => s.Attempts)}/{r.ProgressDone}").Order());
            if (now != lastStates) (lastStates, lastChange) = (now, deadline.Elapsed);
            // No state, attempt or progress change for minutes: a message went astray; fail (and clean up) rather than wait out the timeout.
            if (deadline.Elapsed - lastChange > TimeSpan.FromMinutes(5))
                throw new TimeoutException($"no ingest changed state for 5 minutes ({ids.Count - ended} of {ids.Count} not ended); host log {Host.LogPath}");
            if (deadline.Elapsed - lastReport > TimeSpan.FromSeconds(15))
            {
                lastReport = deadline.Elapsed;
                var states = string.Join(", ", rows.GroupBy(r => r.State).Select(g => $"{g.Key} {g.Count()}"));
                Console.Error.WriteLine($"  {deadline.Elapsed.TotalSeconds:F0} s: {states}; host RSS {Host.ResidentKiB() / 1024} MiB");
            }
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"{ids.Count - ended} of {ids.Count} ingests had not ended after {timeout}; host log {Host.LogPath}");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>
    /// Saga transitions of this run's ingests applied by any process but this run's host (the
    /// transition rows name the host). Anything above zero means another process took part and the
    /// figures are not this host's alone.
    /// </summary>
    public async Task<long> ForeignTransitionsAsync()
    {
        await using var command = Database.CreateCommand("SELECT count(*) FROM bus.saga_transitions WHERE correlation_id = ANY(@ids) AND host NOT LIKE @mine");
        command.Parameters.AddWithValue("ids", _ingests.ToArray());
        command.Parameters.AddWithValue("mine", $"%/{Host.Id}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        var failures = new List<string>();
        async Task Try(string what, Func<Task> step)
        {
            try { await step(); }
            catch (Exception e) { failures.Add($"{what}: {e.GetBaseException().Message}"); }
        }
        if (Bus is not null) await Try("stopping the bus", () => Bus.StopAsync(TimeSpan.FromSeconds(10)));
        foreach (var (name, extra) in _extraHosts)
        {
            await Try($"stopping the {name} host", async () => await extra.DisposeAsync());
            await Try($"keeping the {name} host log", () =>
            {
                var kept = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(BagBenchmarkSupport.Busctl()))!, "artifacts", "bench");
                Directory.CreateDirectory(kept);
                File.Copy(extra.LogPath, Path.Combine(kept, $"{_name}-{name}-host.log"), overwrite: true);
                return Task.CompletedTask;
            });
        }
        if (Host is not null)
        {
            await Try("stopping the host", async () => await Host.DisposeAsync());
            // The host's log outlives the run, for looking into a slow or odd figure.
            await Try("keeping the host log", () =>
            {
                var kept = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(BagBenchmarkSupport.Busctl()))!, "artifacts", "bench");
                Directory.CreateDirectory(kept);
                File.Copy(Host.LogPath, Path.Combine(kept, $"{_name}-host.log"), overwrite: true);
                File.Copy(OwnS3.LogPath, Path.Combine(kept, $"{_name}-s3-requests.tsv"), overwrite: true);
                return Task.CompletedTask;
            });
        }
        // The run's own moto_server goes with everything it holds.
        await Try("stopping the run's moto_server", async () => await OwnS3.DisposeAsync());
        await Try("deleting database rows", DeleteRowsAsync);
        await Try("deleting the vhost", async () => await _vhost.DisposeAsync());
        S3.Dispose();
        if (failures.Count == 0) Directory.Delete(Folder, recursive: true);
        else Console.Error.WriteLine($"cleanup incomplete (kept {Folder}):\n  " + string.Join("\n  ", failures));
    }

    /// <summary>Saga, transition, interim and registry rows of this run's ingests and institution, in foreign-key order.</summary>
    private async Task DeleteRowsAsync()
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        const string objects = "SELECT id FROM registry.intellectual_objects WHERE institution = @inst";
        const string files = $"SELECT id FROM registry.generic_files WHERE object_id IN ({objects})";
        string[] statements =
        [
            $"DELETE FROM registry.premis_events WHERE object_id IN ({objects})",
            $"DELETE FROM registry.checksums WHERE file_id IN ({files})",
            $"DELETE FROM registry.storage_records WHERE file_id IN ({files})",
            $"DELETE FROM registry.alerts WHERE object_id IN ({objects}) OR file_id IN ({files})",
            $"DELETE FROM registry.generic_files WHERE object_id IN ({objects})",
            "DELETE FROM registry.intellectual_objects WHERE institution = @inst",
            "DELETE FROM registry.users WHERE institution = @inst",
            "DELETE FROM registry.institutions WHERE identifier = @inst",
            "DELETE FROM bus.item_locks WHERE object_identifier LIKE @prefix",
            "DELETE FROM bus.ingest_files WHERE ingest_id = ANY(@ids)",
            "DELETE FROM bus.ingest_bags WHERE ingest_id = ANY(@ids)",
            "DELETE FROM bus.saga_transitions WHERE correlation_id = ANY(@ids)",
            "DELETE FROM bus.ingest_saga WHERE correlation_id = ANY(@ids)",
        ];
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 300 };
            command.Parameters.AddWithValue("inst", Institution);
            command.Parameters.AddWithValue("prefix", Institution + "/%");
            command.Parameters.AddWithValue("ids", _ingests.ToArray());
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
