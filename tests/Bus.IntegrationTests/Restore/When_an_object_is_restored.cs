using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Restore;

/// <summary>Restores on the real stack: busctl asks, a host restores, the tar is read back and validated.</summary>
[Collection(IngestStack.Collection)]
public sealed class When_an_object_is_restored(RestoreWorld world) : IClassFixture<RestoreWorld>
{
    [Fact]
    public async Task The_tar_validates_and_holds_the_deposited_bag_byte_for_byte_with_a_premis_events_file()
    {
        var bag = new TestBag("restore-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        Assert.Equal("Completed", result.GetProperty("state").GetString());
        Assert.Equal(RestoreWorld.RestoreBucket, result.GetProperty("bucket").GetString());
        Assert.Equal($"{world.Stack.Institution}/{bag.Name}.tar", result.GetProperty("key").GetString());
        var tar = await world.DownloadAsync(RestoreWorld.RestoreBucket, result.GetProperty("key").GetString()!);
        var files = await world.ValidateTarAsync(tar, bag.Name);
        foreach (var (path, bytes) in bag.AllFiles())
            Assert.True(files.TryGetValue(path, out var restored) && restored.AsSpan().SequenceEqual(bytes), $"{path} is not restored byte for byte");
        var premis = Encoding.UTF8.GetString(files["premis-events.json"]);
        Assert.Contains("\"ingestion\"", premis, StringComparison.Ordinal);
        Assert.Equal(bag.AllFiles().Count + 1, files.Count);
    }

    [Fact]
    public async Task A_file_is_restored_under_files_with_its_own_bytes()
    {
        var bag = new TestBag("restore-file-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);

        var (exit, result) = await world.RestoreAsync("file", $"{identifier}/data/notes.csv");

        Assert.True(exit == 0, $"exit {exit}: {result}");
        var key = result.GetProperty("key").GetString()!;
        Assert.Equal($"{world.Stack.Institution}/files/{bag.Name}/data/notes.csv", key);
        Assert.Equal(bag.Payload["data/notes.csv"], await world.DownloadAsync(RestoreWorld.RestoreBucket, key));
    }

    [Fact(Skip = "Known gap (issue 15): the restore falls back only among copies it planned as readable; with Standard's one hot and one cold copy a corrupted hot copy fails the restore (clearly, nothing delivered) instead of rehydrating the cold copy")]
    public async Task A_corrupted_copy_is_detected_the_other_copy_is_used_and_an_alert_is_raised()
    {
        var bag = new TestBag("restore-corrupt-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);
        var file = $"{identifier}/data/report.txt";
        // Corrupt every copy but the last the restore would try: whichever it reads first is bad.
        var copies = await world.CopiesOfAsync(file);
        var original = bag.Payload["data/report.txt"];
        var damaged = original.ToArray();
        damaged[0] ^= 0xFF;
        await world.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = copies[0].Bucket, Key = copies[0].Key, InputStream = new MemoryStream(damaged) });

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        var files = await world.ValidateTarAsync(await world.DownloadAsync(RestoreWorld.RestoreBucket, result.GetProperty("key").GetString()!), bag.Name);
        Assert.Equal(original, files["data/report.txt"]);
        var alerts = await world.Stack.QueryAsync("SELECT kind, message FROM registry.alerts WHERE identifier = @f",
            r => (Kind: r.GetString(0), Message: r.GetString(1)), ("f", file));
        var alert = Assert.Single(alerts);
        Assert.Equal("fixity-mismatch", alert.Kind);
        Assert.Contains(copies[0].Bucket, alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_copy_matches_the_restore_fails_with_the_reason_and_leaves_nothing()
    {
        var bag = new TestBag("restore-lost-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);
        foreach (var (bucket, key) in await world.CopiesOfAsync($"{identifier}/data/notes.csv"))
            await world.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "not the notes at all\n" });

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.Equal(1, exit);
        Assert.Equal("Failed", result.GetProperty("state").GetString());
        Assert.Contains("data/notes.csv", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await world.Stack.CountObjectsAsync(RestoreWorld.RestoreBucket, $"{world.Stack.Institution}/{bag.Name}.tar"));
        var uploads = await world.Stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = RestoreWorld.RestoreBucket, Prefix = $"{world.Stack.Institution}/{bag.Name}" });
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_cold_only_object_is_restored_through_restore_object_requests()
    {
        var bag = new TestBag("restore-cold-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);
        var copies = await world.Stack.RecordedCopiesAsync(identifier);
        foreach (var c in copies) await world.MakeColdAsync(c.Bucket, c.Key);
        var first = copies[0];
        var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => world.Stack.S3.GetObjectAsync(first.Bucket, first.Key));
        Assert.Equal("InvalidObjectState", refused.ErrorCode);

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        var files = await world.ValidateTarAsync(await world.DownloadAsync(RestoreWorld.RestoreBucket, result.GetProperty("key").GetString()!), bag.Name);
        foreach (var (path, bytes) in bag.AllFiles()) Assert.Equal(bytes, files[path]);
        var polls = await world.Stack.QueryAsync("SELECT cold_polls FROM bus.restore_saga WHERE correlation_id = @id",
            r => r.GetInt32(0), ("id", result.GetProperty("restoreId").GetGuid()));
        Assert.True(polls.Single() >= 1, "the restore never waited for a cold copy");
        var head = await world.Stack.S3.GetObjectMetadataAsync(first.Bucket, first.Key);
        Assert.False(head.RestoreInProgress ?? false);
    }

    /// <summary>
    /// The host dies while writing (the restore keeps its item lock): a deletion asked for meanwhile is refused
    /// naming the restore; a new host resumes the restore from its checkpoint, the tar is valid, and only then can
    /// the deletion be requested.
    /// </summary>
    [Fact]
    public async Task A_host_killed_mid_restore_of_a_large_file_is_resumed_and_a_deletion_waits_for_the_restore()
    {
        var bag = new TestBag("restore-large-" + Guid.NewGuid().ToString("N")[..8]);
        bag.Payload["data/large.bin"] = RandomNumberGenerator.GetBytes(48 * 1024 * 1024);
        var identifier = await world.IngestAsync(bag);

        var (_, sent) = await world.RestoreAsync("object", identifier, wait: false);
        var restoreId = sent.GetProperty("restoreId").GetGuid();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var progress = await world.Stack.QueryAsync("SELECT next_offset, completed_at IS NOT NULL FROM bus.restore_uploads WHERE restore_id = @id",
                r => (Offset: r.GetInt64(0), Done: r.GetBoolean(1)), ("id", restoreId));
            if (progress.Count == 1 && progress[0].Offset > 0)
            {
                Assert.False(progress[0].Done, "the restore finished before the host could be killed");
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the restore never checkpointed a part");
            await Task.Delay(20);
        }
        Posix.Kill(world.Stack.Host!.Process.Id, Posix.SigKill);
        await world.Stack.KillHostAsync();
        var atKill = (await world.Stack.QueryAsync("SELECT next_offset FROM bus.restore_uploads WHERE restore_id = @id", r => r.GetInt64(0), ("id", restoreId))).Single();
        // Deletions are requested through the API by an institutional admin.
        var admin = await ApiIdentities.UserWithTokenAsync(world.Stack.Institution, $"admin@{world.Stack.Institution}", "institutional_admin");
        ExternalProcess during;
        await using (var deletionOnly = RunningHost.Start(world.Stack.Environment, "--roles", "api,deletion"))
        {
            await deletionOnly.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            during = await ExternalProcess.RunAsync(RepoPaths.Busctl, ["delete", "request", identifier, "--reason", "test", "--json"],
                new Dictionary<string, string>(world.Stack.Environment) { ["BUS_TOKEN"] = admin, ["BUS_API_URL"] = deletionOnly.HealthUrl.ToString() },
                TimeSpan.FromMinutes(2));
        }
        await world.Stack.StartHostAsync();

        var done = await world.WaitForRestoreAsync(restoreId, TimeSpan.FromMinutes(3));
        var after = await world.Stack.BusctlAsAsync(admin, "delete", "request", identifier, "--reason", "test", "--json");

        Assert.Equal("Completed", done.GetProperty("state").GetString());
        var files = await world.ValidateTarAsync(await world.DownloadAsync(RestoreWorld.RestoreBucket, done.GetProperty("key").GetString()!), bag.Name);
        Assert.Equal(RestoreWorld.Sha256(bag.Payload["data/large.bin"]), RestoreWorld.Sha256(files["data/large.bin"]));
        var slices = await world.Stack.QueryAsync("SELECT slices FROM bus.restore_uploads WHERE restore_id = @id", r => r.GetInt32(0), ("id", restoreId));
        Assert.True(atKill > 0 && slices.Single() >= 2, $"killed at byte {atKill}, {slices.Single()} slice(s)");
        Assert.True(during.ExitCode == 1 && during.Stdout.Contains("restore", StringComparison.Ordinal), $"deletion during the restore: exit {during.ExitCode}: {during.Stdout}{during.Stderr}");
        Assert.True(after.ExitCode == 0, $"the deletion is still refused after the restore ended: {after.Stdout}{after.Stderr}");
    }
}
