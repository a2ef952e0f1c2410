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
/// vhost of its own, a host running the ingest and scheduler roles in it, an institution with a unique id, and a
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

    private IngestStack(TemporaryVirtualHost vhost, string institution, IDictionary<string, string> environment)
    {
        _vhost = vhost;
        Institution = institution;
        Environment = environment;
    }

    public string Institution { get; }
    public IDictionary<string, string> Environment { get; }
    public RunningHost? Host { get; private set; }
    public StorageOptions Storage { get; } = new();
    public IAmazonS3 S3 { get; private set; } = null!;

    public static async Task<IngestStack> StartAsync(IDictionary<string, string>? extraEnvironment = null, bool startHost = true)
    {
        var vhost = await TemporaryVirtualHost.CreateAsync();
        // A stalled S3 request is abandoned after 20 s (not the default 100) and retried by Polly.
        var environment = new Dictionary<string, string>(vhost.Environment) { ["Bus__Storage__TimeoutSeconds"] = "20" };
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>()) environment[k] = v;
        var stack = new IngestStack(vhost, $"t{Guid.NewGuid():N}"[..13] + ".test.edu", environment);
        stack.S3 = StorageClientFactory.Create(new StorageOptions
        {
            ServiceUrl = environment.TryGetValue("Bus__Storage__ServiceUrl", out var url) ? url : stack.Storage.ServiceUrl,
        });
        await stack.BusctlOkAsync("db", "migrate");
        await stack.BusctlOkAsync("institutions", "add", stack.Institution, "--name", "Bus test institution");
        if (startHost) await stack.StartHostAsync();
        return stack;
    }

    public async Task StartHostAsync()
    {
        // The scheduler role sends step redeliveries (bus.scheduled_message) of this vhost, as one
        // process in every ingest deployment must: scheduled rows are only sent by their own vhost.
        Host = RunningHost.Start(Environment, "--roles", "ingest,scheduler");
        await Host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Kills the host (SIGKILL, no graceful stop: a crash) and starts a new one.</summary>
    public async Task CrashAndRestartHostAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        await StartHostAsync();
    }

    public async Task<ExternalProcess> BusctlAsync(params string[] args) =>
        await ExternalProcess.RunAsync(RepoPaths.Busctl, args, Environment, TimeSpan.FromMinutes(5));

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
        var p = await BusctlAsync("ingest", "submit", tar, "--institution", Institution, "--wait", "--json", "--timeout", "240");
        var json = p.Stdout.Trim();
        Assert.True(json.StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}\nhost: {Host?.Process.Stdout}");
        return (p.ExitCode, JsonDocument.Parse(json).RootElement.Clone());
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

    public async Task<int> CountObjectsAsync(string bucket, string prefix)
    {
        var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return page.S3Objects?.Count ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        await _vhost.DisposeAsync();
        S3.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
