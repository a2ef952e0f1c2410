using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Restore;

/// <summary>
/// One stack for the restore scenarios (shared, like the ingest ones): a host with the ingest, restore, deletion
/// and scheduler roles in a vhost of its own, restore writing 5 MiB parts in 0.2 s slices (so a large file spans
/// several slices) and polling cold copies after a second. Each scenario ingests a bag of its own.
/// </summary>
public sealed class RestoreWorld : IAsyncLifetime
{
    public IngestStack Stack { get; private set; } = null!;
    public const string RestoreBucket = "bus-restore";

    public async Task InitializeAsync()
    {
        Stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Restore__PartMiB"] = "5",
            ["Bus__Restore__TimeSlice"] = "00:00:00.2",
            ["Bus__Restore__ColdPollInterval"] = "00:00:01",
            ["Bus__Restore__ColdPollMaxInterval"] = "00:00:02",
            ["Bus__Restore__ItemLockRetryDelay"] = "00:00:01",
            ["Bus__Deletion__ItemLockRetryDelay"] = "00:00:01",
        }, roles: "api,ingest,restore,deletion,scheduler");
        await Stack.S3.PutBucketAsync(new PutBucketRequest { BucketName = RestoreBucket });
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();

    /// <summary>Ingests <paramref name="bag"/> (asserting it completed) and returns its object identifier.</summary>
    public async Task<string> IngestAsync(TestBag bag)
    {
        var (exit, result) = await Stack.SubmitAndWaitAsync(bag);
        Assert.True(exit == 0, $"ingest exit {exit}: {result}");
        return $"{Stack.Institution}/{bag.Name}";
    }

    /// <summary><c>busctl restore object|file &lt;identifier&gt; [--wait] --json</c>: the exit code and the document.</summary>
    public async Task<(int ExitCode, JsonElement Result)> RestoreAsync(string kind, string identifier, bool wait = true)
    {
        var args = new List<string> { "restore", kind, identifier, "--json", "--timeout", "240" };
        if (wait) args.Add("--wait");
        var p = await Stack.BusctlAsync([.. args]);
        var json = p.Stdout.Trim();
        Assert.True(json.StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}\nhost: {Stack.Host?.Process.Stdout}");
        return (p.ExitCode, JsonDocument.Parse(json).RootElement.Clone());
    }

    public async Task<JsonElement> WaitForRestoreAsync(Guid restoreId, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var p = await Stack.BusctlAsync("restore", "show", restoreId.ToString(), "--json");
            if (p.ExitCode == 0)
            {
                var doc = JsonDocument.Parse(p.Stdout).RootElement.Clone();
                if (doc.GetProperty("state").GetString() is "Completed" or "Failed") return doc;
            }
            if (DateTime.UtcNow > until) throw new TimeoutException($"restore {restoreId} did not end: {p.Stdout}{p.Stderr}\nhost: {Stack.Host?.Process.Stdout}");
            await Task.Delay(300);
        }
    }

    public async Task<byte[]> DownloadAsync(string bucket, string key)
    {
        using var response = await Stack.S3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Saves the restored tar, runs <c>busctl bag validate</c> on it (exit 0 asserted) and returns its files by bag-relative path.</summary>
    public async Task<Dictionary<string, byte[]>> ValidateTarAsync(byte[] tar, string bagName)
    {
        // The tar's name must be the bag's (the profile's rule), as it is in the restore bucket.
        var folder = Directory.CreateTempSubdirectory("bus-restored-").FullName;
        try
        {
            var path = Path.Combine(folder, bagName + ".tar");
            await File.WriteAllBytesAsync(path, tar);
            var validate = await Stack.BusctlAsync("bag", "validate", path, "--profile", "aptrust");
            Assert.True(validate.ExitCode == 0, $"the restored tar does not validate: {validate.Stdout}{validate.Stderr}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return ReadTar(tar, bagName);
    }

    /// <summary>The restored tar's files by bag-relative path (every entry under the bag's folder).</summary>
    public static Dictionary<string, byte[]> ReadTar(byte[] tar, string bagName)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            Assert.StartsWith(bagName + "/", entry.Name, StringComparison.Ordinal);
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            files[entry.Name[(bagName.Length + 1)..]] = data.ToArray();
        }
        return files;
    }

    /// <summary>The copies of one file of the object, in the order a restore tries them when all are hot: (bucket, key).</summary>
    public async Task<List<(string Bucket, string Key)>> CopiesOfAsync(string fileIdentifier) =>
        await Stack.QueryAsync("""
            SELECT s.bucket, s.key FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            WHERE f.identifier = @f AND s.state = 'active' ORDER BY s.id
            """, r => (r.GetString(0), r.GetString(1)), ("f", fileIdentifier));

    /// <summary>Moves a hot copy to DEEP_ARCHIVE in place; a copy the storage option already keeps cold stays as it is.</summary>
    public async Task MakeColdAsync(string bucket, string key)
    {
        var head = await Stack.S3.GetObjectMetadataAsync(bucket, key);
        if (head.StorageClass?.Value is "GLACIER" or "DEEP_ARCHIVE") return;
        await Stack.S3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket, SourceKey = key, DestinationBucket = bucket, DestinationKey = key,
            StorageClass = S3StorageClass.DeepArchive, MetadataDirective = S3MetadataDirective.REPLACE,
        });
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
