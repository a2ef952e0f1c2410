using Bus.Platform.Database;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.IntegrationTests.Support;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.IntegrationTests.Deletion;

/// <summary>
/// One test's own corner of the shared stack: a fresh institution (users requester and two more
/// institutional admins, a depositor, and an admin of a second institution, each with an API token), an
/// object with two files whose copies are real S3 objects in the primary and replica buckets, a RabbitMQ
/// vhost, a host serving the API, and helpers to run busctl as one of the users and read the registry. Everything is named with a unique suffix, because the database and the buckets
/// are shared with other tests and other engineers.
/// </summary>
public sealed class DeletionWorld : IAsyncDisposable
{
    public static readonly StorageOptions Storage = new();
    private static readonly PostgresOptions Postgres = new();
    private static readonly SemaphoreSlim Migrated = new(1, 1);
    private static bool _migrated;

    private DeletionWorld(TemporaryVirtualHost vhost, string suffix)
    {
        VirtualHost = vhost;
        Institution = $"del{suffix}.test.edu";
        OtherInstitution = $"other{suffix}.test.edu";
        Bag = $"{Institution}/bag-{suffix}";
    }

    public TemporaryVirtualHost VirtualHost { get; }
    public IAmazonS3 S3 { get; } = StorageClientFactory.Create(Storage);
    public RegistryDatabase Registry { get; } = new(BusDataSource.Create(Postgres.ConnectionString), ownsDataSource: true);
    public string Institution { get; }
    public string OtherInstitution { get; }
    public string Bag { get; }
    public string Requester => $"requester@{Institution}";
    public string Admin => $"admin@{Institution}";
    public string SecondAdmin => $"admin2@{Institution}";
    public string Depositor => $"depositor@{Institution}";
    public string OtherAdmin => $"admin@{OtherInstitution}";
    public string[] Files => [$"{Bag}/data/a.txt", $"{Bag}/data/b.txt"];
    public List<(string Bucket, string Key)> Copies { get; } = [];

    /// <summary>Sets up the institution, users and object; <paramref name="replicaBucket"/> overrides where replica copies are recorded.</summary>
    public static async Task<DeletionWorld> CreateAsync(string storageOption = "Standard", int storedDaysAgo = 1, string? replicaBucket = null)
    {
        await MigrateOnceAsync();
        var world = new DeletionWorld(await TemporaryVirtualHost.CreateAsync(), Guid.NewGuid().ToString("N")[..10]);
        await world.SeedAsync(storageOption, DateTimeOffset.UtcNow.AddDays(-storedDaysAgo), replicaBucket ?? Storage.StandardColdBucket());
        return world;
    }

    private static async Task MigrateOnceAsync()
    {
        await Migrated.WaitAsync();
        try
        {
            if (_migrated) return;
            var migrate = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["db", "migrate", "--json"]);
            Assert.True(migrate.ExitCode == 0, migrate.Stderr);
            _migrated = true;
        }
        finally { Migrated.Release(); }
    }

    private async Task SeedAsync(string storageOption, DateTimeOffset storedAt, string replicaBucket)
    {
        await Registry.InTransactionAsync(async store =>
        {
            await store.EnsureInstitutionAsync(Institution, "Deletion test " + Institution);
            var bagName = Bag.Split('/')[1];
            var obj = await store.UpsertObjectAsync(new ObjectRecord(Institution, bagName, "Deletion test", null, Access.Institution, storageOption, null, null));
            var files = Files.Select(f => new FileRecord(Guid.NewGuid(), f, 5, "text/plain", FormatMethods.Extension)).ToList();
            await store.UpsertFilesAsync(obj.Id, files);
            await store.AddChecksumsAsync(files.Select(f => new ChecksumRecord(f.Id, DigestAlgorithms.Sha256, new string('a', 64), storedAt, ChecksumSources.Ingest)).ToList());
            var copies = new List<StorageCopy>();
            foreach (var f in files)
                foreach (var bucket in new[] { Storage.StandardHotBucket(), replicaBucket })
                {
                    copies.Add(new StorageCopy(f.Id, bucket, f.Id.ToString(), null, storageOption, storedAt, storedAt));
                    Copies.Add((bucket, f.Id.ToString()));
                }
            await store.RecordCopiesAsync(copies);
            await store.AddEventsAsync([new EventRecord(Guid.NewGuid(), obj.Id, null, Bag, EventTypes.Ingestion, storedAt, Outcomes.Success, "ingested", null, "test")]);
            return 0;
        });
        // Requesting a deletion through the API takes an institutional admin, as approving does.
        foreach (var (email, institution, role) in new[]
                 {
                     (Requester, Institution, Roles.InstitutionalAdmin), (Admin, Institution, Roles.InstitutionalAdmin),
                     (SecondAdmin, Institution, Roles.InstitutionalAdmin), (Depositor, Institution, Roles.Depositor),
                     (OtherAdmin, OtherInstitution, Roles.InstitutionalAdmin),
                 })
            _tokens[email] = await ApiIdentities.UserWithTokenAsync(institution, email, role);
        foreach (var (bucket, key) in Copies.Where(c => c.Bucket != replicaBucket || replicaBucket == Storage.StandardColdBucket()))
            await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "hello" });
    }

    private readonly Dictionary<string, string> _tokens = [];
    private Uri _apiUrl = new("http://127.0.0.1:1");

    /// <summary>The API of the host started last, and a user's token for it (for calls busctl cannot make at the same moment).</summary>
    public Uri ApiUrl => _apiUrl;
    public string TokenOf(string user) => _tokens[user];

    /// <summary>busctl --json, as <paramref name="user"/> (their token) against the API of the host started last.</summary>
    public Task<ExternalProcess> BusctlAsAsync(string user, params string[] args) =>
        ExternalProcess.RunAsync(RepoPaths.Busctl, [.. args, "--json"], ApiIdentities.Environment(VirtualHost.Environment, _apiUrl, _tokens[user]), TimeSpan.FromSeconds(90));

    /// <summary>An operator command (no token): straight to the servers.</summary>
    public Task<ExternalProcess> BusctlAsync(params string[] args) =>
        ExternalProcess.RunAsync(RepoPaths.Busctl, [.. args, "--json"], VirtualHost.Environment, TimeSpan.FromSeconds(90));

    /// <summary>busctl delete as the first admin (reads: show); returns (exit code, JSON).</summary>
    public Task<(int Exit, JsonElement Json)> DeleteAsync(params string[] args) => DeleteAsAsync(Admin, args);

    /// <summary>busctl delete as <paramref name="user"/>; returns (exit code, JSON).</summary>
    public async Task<(int Exit, JsonElement Json)> DeleteAsAsync(string user, params string[] args)
    {
        var p = await BusctlAsAsync(user, ["delete", .. args]);
        Assert.True(p.Stdout.TrimStart().StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}");
        return (p.ExitCode, JsonDocument.Parse(p.Stdout).RootElement.Clone());
    }

    public async Task<Guid> RequestAcceptedAsync(string? identifier = null)
    {
        var (exit, json) = await DeleteAsAsync(Requester, "request", identifier ?? Bag, "--reason", "donor withdrew consent");
        Assert.True(exit == 0, json.ToString());
        return json.GetProperty("requestId").GetGuid();
    }

    /// <summary>Polls busctl delete show until the request is in <paramref name="state"/> (fails after <paramref name="within"/>).</summary>
    public async Task<JsonElement> WaitForStateAsync(Guid requestId, string state, TimeSpan? within = null, RunningHost? host = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            var (exit, json) = await DeleteAsync("show", requestId.ToString());
            if (exit == 0)
            {
                last = json;
                if (json.GetProperty("state").GetString() == state) return json;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"deletion {requestId} not {state}; last {last}; host stderr: {host?.Process.Stderr}");
    }

    public async Task<bool> ExistsInS3Async(string bucket, string key)
    {
        try { await S3.GetObjectMetadataAsync(bucket, key); return true; }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound) { return false; }
    }

    public async Task<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = Registry.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("object", Bag);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    /// <summary>A host with the deletion role and the API busctl delete goes through; busctl follows the host started last.</summary>
    public RunningHost StartHost(params string[] settings)
    {
        var host = RunningHost.Start(VirtualHost.Environment, ["--roles", "api,deletion,scheduler", .. settings]);
        _apiUrl = host.HealthUrl;
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        // Scheduled messages addressed to this test's vhost can never be delivered once it is gone,
        // and a scheduler poller that claims one blocks on it: leave none behind.
        await using (var command = Registry.DataSource.CreateCommand("DELETE FROM bus.scheduled_message WHERE destination_address LIKE @prefix"))
        {
            command.Parameters.AddWithValue("prefix", $"%/{VirtualHost.Name}/%");
            await command.ExecuteNonQueryAsync();
        }
        S3.Dispose();
        await Registry.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}
