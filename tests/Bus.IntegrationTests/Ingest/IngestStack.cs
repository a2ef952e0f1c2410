using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.IntegrationTests.Support;
using Bus.Platform;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// What an ingest scenario needs on the shared stack without disturbing anyone else: a RabbitMQ
/// vhost of its own, a host running the api, ingest and scheduler roles in it, an institution with a unique id
/// and a depositor whose token busctl uses (BUS_TOKEN, BUS_API_URL in <see cref="Environment"/>), and a
/// temporary folder for the tars it generates. S3 and PostgreSQL are shared; everything written
/// there is keyed by the unique institution or by ingest ids.
/// </summary>
public sealed class IngestStack : IAsyncDisposable
{
    /// <summary>
    /// The ingest scenarios run one at a time: each starts a host and moves real bags through the
    /// shared moto_server, and eight at once on two shared cores made single S3 requests stall.
    /// </summary>
    public const string Collection = "ingest";

    private readonly string _folder = Directory.CreateTempSubdirectory("bus-ingest-test-").FullName;
    private readonly TemporaryVirtualHost _vhost;

    private IngestStack(TemporaryVirtualHost vhost, string institution, IDictionary<string, string> environment, string roles)
    {
        _vhost = vhost;
        Institution = institution;
        Environment = environment;
        Roles = roles;
    }

    /// <summary>
    /// The host's --roles. With api for busctl ingest (it goes through the API). Always with the scheduler: it sends step redeliveries and the item-lock
    /// retries (bus.scheduled_message) of this vhost, as one process in every ingest deployment must,
    /// since scheduled rows are only sent by a host of their own vhost.
    /// </summary>
    public string Roles { get; }

    public string Institution { get; }
    public string Depositor => $"depositor@{Institution}";
    public TemporaryVirtualHost VirtualHost => _vhost;
    public IDictionary<string, string> Environment { get; }
    public RunningHost? Host { get; private set; }
    public StorageOptions Storage { get; } = new();
    public IAmazonS3 S3 { get; private set; } = null!;

    public static async Task<IngestStack> StartAsync(IDictionary<string, string>? extraEnvironment = null, bool startHost = true, string roles = "api,ingest,scheduler",
        string? defaultQueueType = null, Func<TemporaryVirtualHost, Task>? prepareVirtualHost = null)
    {
        var vhost = await TemporaryVirtualHost.CreateAsync(defaultQueueType);
        if (prepareVirtualHost is not null) await prepareVirtualHost(vhost);
        // A stalled S3 request is abandoned after 20 s (not the default 100) and retried by Polly.
        var environment = new Dictionary<string, string>(vhost.Environment) { ["Bus__Storage__TimeoutSeconds"] = "20" };
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>()) environment[k] = v;
        var institution = $"t{Guid.NewGuid():N}"[..13] + ".test.edu";
        var stack = new IngestStack(vhost, institution, environment, roles);
        stack.S3 = StorageClientFactory.Create(new StorageOptions
        {
            ServiceUrl = environment.TryGetValue("Bus__Storage__ServiceUrl", out var url) ? url : stack.Storage.ServiceUrl,
        });
        await stack.BusctlOkAsync("db", "migrate");
        await stack.BusctlOkAsync("institutions", "add", stack.Institution, "--name", "Bus test institution", "--no-broker-user");
        // busctl ingest acts as this depositor: the API takes institution and submitter from the token.
        environment["BUS_TOKEN"] = await ApiIdentities.UserWithTokenAsync(institution, stack.Depositor, "depositor");
        if (startHost) await stack.StartHostAsync();
        return stack;
    }

    public async Task StartHostAsync()
    {
        Host = RunningHost.Start(Environment, "--roles", Roles);
        // Each host listens on a port of its own: busctl follows the one running now.
        Environment["BUS_API_URL"] = Host.HealthUrl.ToString();
        await Host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// Sends the host SIGTERM and asserts it exits cleanly within 10 s (docs/ingest.md); returns its
    /// output. The stopped host stays in <see cref="Host"/> until <see cref="StartHostAsync"/> replaces it.
    /// </summary>
    public async Task<string> TerminateHostWithin10SecondsAsync()
    {
        var host = Host!;
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        host.Process.Terminate();
        await host.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        stopping.Stop();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the host took {stopping.Elapsed.TotalSeconds:F1} s to exit after SIGTERM");
        Assert.Equal(0, host.Process.ExitCode);
        var output = host.Process.Stdout;
        await host.DisposeAsync();
        return output;
    }

    /// <summary>Kills the host (SIGKILL): nothing it had not committed or acknowledged survives.</summary>
    public async Task KillHostAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        Host = null;
    }

    /// <summary>Starts a host without waiting for /health/ready (for a scenario whose S3 is frozen on purpose).</summary>
    public void StartHostUnchecked()
    {
        Host = RunningHost.Start(Environment, "--roles", Roles);
        Environment["BUS_API_URL"] = Host.HealthUrl.ToString();
    }

    public async Task<ExternalProcess> BusctlAsync(params string[] args) =>
        await ExternalProcess.RunAsync(RepoPaths.Busctl, args, Environment, TimeSpan.FromMinutes(5));

    /// <summary>busctl as the user whose token this is (another user than the stack's depositor).</summary>
    public async Task<ExternalProcess> BusctlAsAsync(string token, params string[] args) =>
        await ExternalProcess.RunAsync(RepoPaths.Busctl, args, new Dictionary<string, string>(Environment) { ["BUS_TOKEN"] = token }, TimeSpan.FromMinutes(5));

    public async Task<ExternalProcess> BusctlOkAsync(params string[] args)
    {
        var p = await BusctlAsync(args);
        Assert.True(p.ExitCode == 0, $"busctl {string.Join(' ', args)} exited {p.ExitCode}: {p.Stderr}{p.Stdout}");
        return p;
    }

    public string WriteTar(TestBag bag) => bag.WriteTar(_folder);

    /// <summary>busctl ingest submit --wait --json: returns the exit code and the JSON document.</summary>
    public Task<(int ExitCode, JsonElement Result)> SubmitAndWaitAsync(TestBag bag) => SubmitAndWaitAsync(WriteTar(bag));

    public async Task<(int ExitCode, JsonElement Result)> SubmitAndWaitAsync(string tar)
    {
        var p = await BusctlAsync("ingest", "submit", tar, "--wait", "--json", "--timeout", "240");
        var json = p.Stdout.Trim();
        Assert.True(json.StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}\nhost: {Host?.Process.Stdout}");
        return (p.ExitCode, JsonDocument.Parse(json).RootElement.Clone());
    }

    /// <summary>busctl ingest submit without --wait: returns the ingest id.</summary>
    public async Task<Guid> SubmitAsync(TestBag bag)
    {
        var p = await BusctlOkAsync("ingest", "submit", WriteTar(bag), "--json");
        return JsonDocument.Parse(p.Stdout).RootElement.GetProperty("ingestId").GetGuid();
    }

    /// <summary>Polls bus.ingest_saga until the ingest is in <paramref name="state"/> (and compensated, if asked); fails after two minutes.</summary>
    public async Task WaitForStateAsync(Guid ingestId, string state, bool compensated = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var rows = await QueryAsync("SELECT current_state, compensated_at IS NOT NULL FROM bus.ingest_saga WHERE correlation_id = @id",
                r => (r.GetString(0), r.GetBoolean(1)), ("id", ingestId));
            if (rows.Count == 1)
            {
                last = rows[0].Item1;
                if (last == state && (!compensated || rows[0].Item2)) return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"ingest {ingestId} not {state}{(compensated ? " and compensated" : "")}; last {last}; host: {Host?.Process.Stdout}");
    }

    /// <summary>
    /// Polls the ingest's saga row until <paramref name="condition"/> (SQL over bus.ingest_saga) holds; false after two minutes.
    /// A step's "started" report and its result are separate messages to the saga, so a step's attempt can be
    /// counted after the saga has already moved on (even to Completed): read attempts through this, not once.
    /// </summary>
    public async Task<bool> SagaBecomesAsync(Guid ingestId, string condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await QueryAsync($"SELECT {condition} FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetBoolean(0), ("id", ingestId)) is [true])
                return true;
            await Task.Delay(10);
        }
        return false;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every storage record of the object's files, with the sha256 the registry holds for the file (its latest ingest digest).</summary>
    public Task<List<(string File, Guid FileId, string Bucket, string Key, string Sha256)>> RecordedCopiesAsync(string objectIdentifier) =>
        QueryAsync("""
            SELECT f.identifier, f.id, s.bucket, s.key,
                   (SELECT c.digest FROM registry.checksums c WHERE c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest'
                    ORDER BY c.date_time DESC, c.id DESC LIMIT 1)
            FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o ORDER BY f.identifier, s.bucket
            """, r => (r.GetString(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4)), ("o", objectIdentifier));

    /// <summary>
    /// Each recorded copy exists, is the only object under its file UUID in its bucket (no other
    /// version left behind), and its bytes have the sha256 the registry records.
    /// </summary>
    public async Task AssertOneRecordedCopyPerBucketAsync(string objectIdentifier)
    {
        var copies = await RecordedCopiesAsync(objectIdentifier);
        Assert.NotEmpty(copies);
        foreach (var (file, fileId, bucket, key, sha256) in copies)
        {
            var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = fileId.ToString() });
            Assert.Equal([key], (page.S3Objects ?? []).Select(o => o.Key));
            Assert.True(sha256 == await CopySha256Async(bucket, key, sha256), $"{bucket}/{key} ({file}) does not hold the bytes the registry records");
        }
    }

    public static NpgsqlDataSource Database { get; } = NpgsqlDataSource.Create(new PostgresOptions().ConnectionString);

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> row, params (string Name, object Value)[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(row(reader));
        return rows;
    }

    public async Task<string> Sha256OfObjectAsync(string bucket, string key)
    {
        using var response = await S3.GetObjectAsync(bucket, key);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(response.ResponseStream));
    }

    /// <summary>
    /// A copy's sha256: read for a hot copy; for a cold one (GLACIER, DEEP_ARCHIVE: GET refused until a restore) S3's
    /// own checksum of it, which for the single-request copies of test bags is the object's sha256.
    /// </summary>
    public async Task<string> CopySha256Async(string bucket, string key, string? expected = null)
    {
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, ChecksumMode = Amazon.S3.ChecksumMode.ENABLED });
        if (head.StorageClass?.Value is not ("GLACIER" or "DEEP_ARCHIVE")) return await Sha256OfObjectAsync(bucket, key);
        Assert.False(string.IsNullOrEmpty(head.ChecksumSHA256), $"cold copy {bucket}/{key} has no S3 checksum");
        var single = Convert.ToHexStringLower(Convert.FromBase64String(head.ChecksumSHA256.Split('-')[0]));
        if (expected is null || single == expected) return single;
        // A multipart copy's checksum is the composite of its parts' digests: restore it (moto makes it readable at once) and read the bytes.
        await S3.RestoreObjectAsync(new RestoreObjectRequest { BucketName = bucket, Key = key, Days = 1 });
        return await Sha256OfObjectAsync(bucket, key);
    }

    public async Task<int> CountObjectsAsync(string bucket, string prefix)
    {
        var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return page.S3Objects?.Count ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        // A scheduled retry addressed to this test's vhost could never be delivered once it is gone.
        await ExecuteAsync("DELETE FROM bus.scheduled_message WHERE destination_address LIKE @prefix", ("prefix", $"%/{_vhost.Name}/%"));
        await _vhost.DisposeAsync();
        S3.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
