using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Host;
using Bus.IntegrationTests.Registry;
using Bus.IntegrationTests.Support;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Registry.Model;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Bus.Fixity.Data;

namespace Bus.IntegrationTests.Fixity;

/// <summary>A preserved file of one test: registry rows (via RegistryStore) and two S3 copies keyed by the file UUID.</summary>
internal sealed record PreservedFile(string Identifier, Guid FileId, long PrimaryCopyId, long ReplicaCopyId, byte[] Content)
{
    public string Key => FileId.ToString();
}

/// <summary>
/// The real stack for fixity scenarios: a test institution in the shared registry, S3 (moto), and a
/// bus-host with the fixity role in process on a RabbitMQ virtual host of the test's own. Disposing
/// deletes the test's registry rows, fixity rows and S3 objects.
/// </summary>
internal sealed class FixityStack : IAsyncDisposable
{
    public static readonly StorageOptions Storage = BusConfiguration.Build("Test").GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();

    /// <summary>
    /// Each seeded file has two hot copies (STANDARD class, read in full by a check): in the Standard option's hot
    /// bucket and in a Wasabi option's bucket. Cold copies, checked by S3's checksum, are seeded by <see cref="AddColdCopyAsync"/>.
    /// </summary>
    public static readonly string Primary = Storage.StandardHotBucket();
    public static readonly string Replica = Storage.CopiesOf("Wasabi-VA")![0].Bucket;

    private readonly List<PreservedFile> _files = [];
    private WebApplication? _host;

    private FixityStack(TestInstitution institution, TemporaryVirtualHost vhost)
    {
        Institution = institution;
        VirtualHost = vhost;
    }

    public TestInstitution Institution { get; }
    public TemporaryVirtualHost VirtualHost { get; }
    public IAmazonS3 S3 { get; } = StorageClientFactory.Create(Storage);
    public FixityDatabase Database { get; } = new(Npgsql.NpgsqlDataSource.Create(RegistryTestDatabase.ConnectionString));
    public CheckLedger Ledger => new(Database);
    public CopyReadSlices Slices => new(Database.DataSource);

    public static async Task<FixityStack> CreateAsync()
    {
        var institution = await TestInstitution.CreateAsync();
        var vhost = await TemporaryVirtualHost.CreateAsync();
        return new FixityStack(institution, vhost);
    }

    /// <summary>Host arguments for the fixity role on this stack's vhost; migrations applied at start, no periodic sweep.</summary>
    public string[] HostArgs(params string[] extra) =>
    [
        "--environment", "Test", "--roles", "fixity,scheduler", "--Bus:Host:HealthUrl=http://127.0.0.1:0",
        $"--Bus:RabbitMq:VirtualHost={VirtualHost.Name}", "--Bus:Postgres:MigrateAtStartup=true", "--Bus:Fixity:SweepEnabled=false",
        .. extra,
    ];

    public async Task<IServiceProvider> StartHostAsync(params string[] extra)
    {
        _host = BusHost.Build(HostArgs(extra));
        await _host.StartAsync();
        return _host.Services;
    }

    /// <summary>
    /// Starts the host with the API as well, on a port of its own, and returns busctl's environment as an
    /// institutional admin of the test's institution (busctl fixity check goes through the API).
    /// </summary>
    public async Task<Dictionary<string, string>> StartHostWithApiAsync()
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        await StartHostAsync("--roles", "api,fixity,scheduler", $"--Bus:Host:HealthUrl={url}");
        var admin = $"admin@{Institution.Identifier}";
        return ApiIdentities.Environment(VirtualHost.Environment, url, await ApiIdentities.UserWithTokenAsync(Institution.Identifier, admin, "institutional_admin"));
    }

    public async Task<PreservedFile> PreserveAsync(string name, int size = 256 * 1024, DateTimeOffset? storedAt = null)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var obj = await Institution.Store.UpsertObjectAsync(Institution.Bag("bag"));
        var file = Institution.File(obj.Identifier, $"data/{name}", size);
        await Institution.Store.UpsertFilesAsync(obj.Id, [file]);
        await Institution.Store.AddChecksumsAsync([new ChecksumRecord(file.Id, DigestAlgorithms.Sha256, Convert.ToHexStringLower(SHA256.HashData(content)), DateTimeOffset.UtcNow, ChecksumSources.Ingest)]);
        var at = storedAt ?? DateTimeOffset.UtcNow;
        await Institution.Store.RecordCopiesAsync(
        [
            new StorageCopy(file.Id, Primary, file.Id.ToString(), null, "Standard", at, at),
            new StorageCopy(file.Id, Replica, file.Id.ToString(), null, "Standard", at, at),
        ]);
        await PutAsync(Primary, file.Id.ToString(), content);
        await PutAsync(Replica, file.Id.ToString(), content);
        var copies = await Institution.Store.ListCopiesAsync(file.Identifier);
        var preserved = new PreservedFile(file.Identifier, file.Id,
            copies.Single(c => c.Bucket == Primary).Id, copies.Single(c => c.Bucket == Replica).Id, content);
        _files.Add(preserved);
        return preserved;
    }

    private readonly List<(string Bucket, string Key, long StorageRecordId)> _coldCopies = [];

    /// <summary>The Standard option's cold bucket: GLACIER copies, whose GET is refused until a restore.</summary>
    public static readonly string Cold = Storage.StandardColdBucket();

    /// <summary>
    /// Adds a cold copy of <paramref name="file"/> as ingest writes one: GLACIER class with S3's SHA-256 checksum, recorded
    /// with tier cold and the checksum verified. Returns its storage record id.
    /// </summary>
    public async Task<long> AddColdCopyAsync(PreservedFile file, DateTimeOffset storedAt)
    {
        var put = await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Cold, Key = file.Key, InputStream = new MemoryStream(file.Content),
            StorageClass = S3StorageClass.Glacier, ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
        });
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(file.Content)), put.ChecksumSHA256);
        await Institution.Store.RecordCopiesAsync(
            [new StorageCopy(file.FileId, Cold, file.Key, put.ETag, "Standard", storedAt, storedAt, "GLACIER", "cold", "cold", "or", put.ChecksumSHA256)]);
        var id = (await Institution.Store.ListCopiesAsync(file.Identifier)).Single(c => c.Bucket == Cold).Id;
        _coldCopies.Add((Cold, file.Key, id));
        return id;
    }

    /// <summary>
    /// A file as the Standard option keeps it: one hot copy (in <see cref="Primary"/>, the option's hot bucket) and one cold
    /// GLACIER copy; <see cref="PreservedFile.ReplicaCopyId"/> is the cold copy's storage record.
    /// </summary>
    public async Task<PreservedFile> PreserveStandardAsync(string name, int size, DateTimeOffset storedAt)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var obj = await Institution.Store.UpsertObjectAsync(Institution.Bag("bag"));
        var file = Institution.File(obj.Identifier, $"data/{name}", size);
        await Institution.Store.UpsertFilesAsync(obj.Id, [file]);
        await Institution.Store.AddChecksumsAsync([new ChecksumRecord(file.Id, DigestAlgorithms.Sha256, Convert.ToHexStringLower(SHA256.HashData(content)), DateTimeOffset.UtcNow, ChecksumSources.Ingest)]);
        await Institution.Store.RecordCopiesAsync([new StorageCopy(file.Id, Primary, file.Id.ToString(), null, "Standard", storedAt, storedAt)]);
        await PutAsync(Primary, file.Id.ToString(), content);
        var hot = (await Institution.Store.ListCopiesAsync(file.Identifier)).Single(c => c.Bucket == Primary).Id;
        var preserved = new PreservedFile(file.Identifier, file.Id, hot, 0, content);
        var cold = await AddColdCopyAsync(preserved, storedAt);
        preserved = preserved with { ReplicaCopyId = cold };
        _files.Add(preserved);
        return preserved;
    }

    /// <summary>
    /// Replaces a cold copy with <paramref name="bytes"/> in GLACIER while S3 keeps reporting <paramref name="checksum"/> for it
    /// (moto stores the checksum a PUT states without checking it): decay no HEAD can see, only a full read.
    /// </summary>
    public async Task PutColdWithChecksumAsync(string key, byte[] bytes, string checksum)
    {
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Cold, Key = key, InputStream = new MemoryStream(bytes), StorageClass = S3StorageClass.Glacier,
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256, ChecksumSHA256 = checksum,
        });
        var head = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Cold, Key = key, ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(checksum, head.ChecksumSHA256);
    }

    /// <summary>Restores a cold copy (if it is not already) and reads it: what the test sees S3 holding.</summary>
    public async Task<byte[]?> RestoreAndGetAsync(string bucket, string key)
    {
        await S3.RestoreObjectAsync(new RestoreObjectRequest { BucketName = bucket, Key = key, Days = 1 });
        return await GetAsync(bucket, key);
    }

    /// <summary>Whether S3 was asked to restore the object (HEAD carries the Restore header).</summary>
    public async Task<bool> WasRestoredAsync(string bucket, string key)
    {
        var head = await S3.GetObjectMetadataAsync(bucket, key);
        return head.RestoreExpiration is not null || head.RestoreInProgress is not null
            || head.Headers.Keys.Any(k => string.Equals(k, "x-amz-restore", StringComparison.OrdinalIgnoreCase));
    }

    public Task PutAsync(string bucket, string key, byte[] content) =>
        S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content) });

    public async Task<byte[]?> GetAsync(string bucket, string key)
    {
        try
        {
            using var response = await S3.GetObjectAsync(bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Overwrites bytes in the middle of the object, keeping its size: silent corruption.</summary>
    public async Task<byte[]> CorruptAsync(string bucket, PreservedFile file)
    {
        var bytes = file.Content.ToArray();
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 16; i++) bytes[i] ^= 0xFF;
        await PutAsync(bucket, file.Key, bytes);
        return bytes;
    }

    /// <summary>Starts a check of one copy through the ledger, as busctl does, and sends it to the host.</summary>
    public async Task<Guid> RequestCheckAsync(IServiceProvider host, long storageRecordId, string identifier, string bucket)
    {
        var started = await Ledger.StartAsync([new CheckRequest(storageRecordId, identifier, bucket)], "test", DateTimeOffset.UtcNow, TimeSpan.FromHours(1), CancellationToken.None);
        var (_, checkId) = Assert.Single(started);
        var endpoint = await host.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
        await endpoint.Send(new CheckFixity(checkId, storageRecordId, "test", DateTimeOffset.UtcNow));
        return checkId;
    }

    /// <summary>The check the sweep queued for a copy.</summary>
    public async Task<Guid> CheckOfAsync(long storageRecordId)
    {
        await using var command = Database.DataSource.CreateCommand("SELECT check_id FROM fixity.checks WHERE storage_record_id = @id ORDER BY requested_at DESC LIMIT 1");
        command.Parameters.AddWithValue("id", storageRecordId);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The copy's last full read by fixity (<c>fixity.cold_reads</c>), or null.</summary>
    public async Task<DateTime?> LastColdReadAsync(long storageRecordId)
    {
        await using var command = Database.DataSource.CreateCommand("SELECT read_at FROM fixity.cold_reads WHERE storage_record_id = @id");
        command.Parameters.AddWithValue("id", storageRecordId);
        return await command.ExecuteScalarAsync() as DateTime?;
    }

    /// <summary>Waits for the check's outcome (the deadline only stops a broken test from hanging).</summary>
    public async Task<CheckRow> OutcomeAsync(Guid checkId, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var row = Assert.Single(await Ledger.GetAsync([checkId], CancellationToken.None));
            if (row.CompletedAt is not null) return row;
            if (DateTime.UtcNow > until) throw new TimeoutException($"check {checkId} has no outcome: {row}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until the check has recorded at least <paramref name="count"/> slices; returns them.</summary>
    public async Task<IReadOnlyList<CopyReadSlice>> SlicesAsync(Guid checkId, int count, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var slices = await Slices.ListAsync(checkId, CancellationToken.None);
            if (slices.Count >= count) return slices;
            if (DateTime.UtcNow > until) throw new TimeoutException($"check {checkId} recorded {slices.Count} slice(s), expected {count}");
            await Task.Delay(20);
        }
    }

    /// <summary>The slices cover the copy once, in order: each begins where the one before ended, only the first at 0.</summary>
    public static void AssertContiguous(IReadOnlyList<CopyReadSlice> slices, long size)
    {
        Assert.Equal(0, slices[0].FromOffset);
        for (var i = 1; i < slices.Count; i++) Assert.Equal(slices[i - 1].ToOffset, slices[i].FromOffset);
        Assert.Equal(size, slices[^1].ToOffset);
        Assert.Equal(SliceEnds.Finished, slices[^1].Ended);
        Assert.All(slices, s => Assert.Null(s.RestartReason));
    }

    public async Task<List<(string Type, string Outcome, string Detail)>> EventsAsync(PreservedFile file)
    {
        await using var command = new NpgsqlCommand(
            "SELECT event_type, outcome, detail FROM registry.premis_events WHERE file_id = @f ORDER BY date_time, event_type", Institution.Connection);
        command.Parameters.AddWithValue("f", file.FileId);
        var rows = new List<(string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return rows;
    }

    public async Task<List<string>> AlertKindsAsync(PreservedFile file)
    {
        await using var command = new NpgsqlCommand("SELECT kind FROM registry.alerts WHERE file_id = @f ORDER BY created_at", Institution.Connection);
        command.Parameters.AddWithValue("f", file.FileId);
        var kinds = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) kinds.Add(reader.GetString(0));
        return kinds;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) { await _host.StopAsync(); await _host.DisposeAsync(); }
        foreach (var f in _files)
        {
            foreach (var bucket in new[] { Primary, Replica })
                await S3.DeleteObjectAsync(bucket, f.Key);
            await using var command = Database.DataSource.CreateCommand(
                "DELETE FROM bus.copy_read_slices WHERE workflow_id IN (SELECT check_id FROM fixity.checks WHERE storage_record_id = ANY(@ids)); DELETE FROM fixity.checks WHERE storage_record_id = ANY(@ids)");
            command.Parameters.AddWithValue("ids", new[] { f.PrimaryCopyId, f.ReplicaCopyId });
            await command.ExecuteNonQueryAsync();
        }
        foreach (var (bucket, key, id) in _coldCopies)
        {
            await S3.DeleteObjectAsync(bucket, key);
            await using var command = Database.DataSource.CreateCommand(
                "DELETE FROM bus.copy_read_slices WHERE workflow_id IN (SELECT check_id FROM fixity.checks WHERE storage_record_id = @id); DELETE FROM fixity.checks WHERE storage_record_id = @id; DELETE FROM fixity.cold_reads WHERE storage_record_id = @id");
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
        }
        await VirtualHost.DisposeAsync();
        await Institution.DisposeAsync();
        await Database.DataSource.DisposeAsync();
        S3.Dispose();
    }
}
