using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// A Standard object keeps one hot and one cold copy: the hot one damaged, the restore raises the alert, asks S3
    /// to restore the cold copy, waits for it (polling), and writes the file from it. The damaged file is large
    /// enough to span parts, so parts holding its bad bytes were uploaded before the mismatch showed.
    /// </summary>
    [Fact]
    public async Task A_corrupted_copy_is_detected_the_other_copy_is_used_and_an_alert_is_raised()
    {
        var bag = new TestBag("restore-corrupt-" + Guid.NewGuid().ToString("N")[..8]);
        bag.Payload["data/report.txt"] = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        var identifier = await world.IngestAsync(bag);
        var file = $"{identifier}/data/report.txt";
        var copies = await world.CopiesOfAsync(file);
        var hot = new List<(string Bucket, string Key)>();
        foreach (var c in copies)
            if ((await world.Stack.S3.GetObjectMetadataAsync(c.Bucket, c.Key)).StorageClass?.Value is not ("GLACIER" or "DEEP_ARCHIVE")) hot.Add(c);
        Assert.True(hot.Count == 1 && copies.Count == 2, $"a Standard object has one hot and one cold copy: {copies.Count} copies, {hot.Count} hot");
        // Damaged at its end: every part before it was uploaded from the bad copy when the digest is compared.
        var original = bag.Payload["data/report.txt"];
        var damaged = original.ToArray();
        damaged[^1] ^= 0xFF;
        await world.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = hot[0].Bucket, Key = hot[0].Key, InputStream = new MemoryStream(damaged) });

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        var files = await world.ValidateTarAsync(await world.DownloadAsync(RestoreWorld.RestoreBucket, result.GetProperty("key").GetString()!), bag.Name);
        Assert.True(original.AsSpan().SequenceEqual(files["data/report.txt"]), "the restored file is not the deposited one");
        var restoreId = result.GetProperty("restoreId").GetGuid();
        var polls = await world.Stack.QueryAsync("SELECT cold_polls FROM bus.restore_saga WHERE correlation_id = @id", r => r.GetInt32(0), ("id", restoreId));
        Assert.True(polls.Single() >= 1, "the restore never waited for the cold copy");
        var alerts = await world.Stack.QueryAsync("SELECT kind, message FROM registry.alerts WHERE identifier = @f",
            r => (Kind: r.GetString(0), Message: r.GetString(1)), ("f", file));
        var alert = Assert.Single(alerts);
        Assert.Equal("fixity-mismatch", alert.Kind);
        Assert.Contains($"{hot[0].Bucket}/{hot[0].Key}", alert.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An object with many PREMIS events: the events file is staged in the restore bucket, not kept in the plan's
    /// row, and the restored bag's premis-events.json lists every event; the staged file is gone afterwards.
    /// </summary>
    [Fact]
    public async Task An_object_with_many_events_gets_every_event_in_its_premis_file_without_holding_them_in_the_plan()
    {
        var bag = new TestBag("restore-events-" + Guid.NewGuid().ToString("N")[..8]);
        var identifier = await world.IngestAsync(bag);
        await world.Stack.ExecuteAsync("""
            INSERT INTO registry.premis_events (id, object_id, identifier, event_type, date_time, outcome, detail, agent)
            SELECT gen_random_uuid(), o.id, o.identifier, 'fixity check', now() - make_interval(secs => g), 'success',
                   'sha256 matched on sweep ' || g, 'bus test'
            FROM registry.intellectual_objects o, generate_series(1, 30000) g WHERE o.identifier = @id
            """, ("id", identifier));
        var expected = (await world.Stack.QueryAsync("""
            SELECT e.id FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id WHERE o.identifier = @id
            """, r => r.GetGuid(0), ("id", identifier))).ToHashSet();

        var (exit, result) = await world.RestoreAsync("object", identifier);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {world.Stack.Host?.Process.Stdout}");
        var restoreId = result.GetProperty("restoreId").GetGuid();
        // Not `bag validate`: a root-level tag file over 1 MiB is refused by Bus's own validator (docs/restore.md).
        var files = RestoreWorld.ReadTar(await world.DownloadAsync(RestoreWorld.RestoreBucket, result.GetProperty("key").GetString()!), bag.Name);
        foreach (var (path, bytes) in bag.AllFiles()) Assert.Equal(bytes, files[path]);
        var premis = files["premis-events.json"];
        Assert.True(premis.Length > 5 * 1024 * 1024, $"the events file is {premis.Length} bytes: too few events to span parts");
        using var doc = System.Text.Json.JsonDocument.Parse(premis);
        Assert.Equal(identifier, doc.RootElement.GetProperty("intellectualObject").GetString());
        var listed = doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventIdentifier").GetGuid()).ToList();
        Assert.Equal(expected.Count, listed.Count);
        Assert.True(expected.SetEquals(listed), "the events file does not list the object's events");
        var rows = await world.Stack.QueryAsync("SELECT pg_column_size(f.*), f.candidates::text FROM bus.restore_files f WHERE f.restore_id = @id AND f.path = 'premis-events.json'",
            r => (Bytes: r.GetInt32(0), Candidates: r.GetString(1)), ("id", restoreId));
        var row = Assert.Single(rows);
        Assert.True(row.Bytes < 2048, $"the plan row of the events file holds {row.Bytes} bytes");
        Assert.Equal(0, await world.Stack.CountObjectsAsync(RestoreWorld.RestoreBucket, $".restore-work/{restoreId:N}/"));
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
    /// The host dies while writing (the restore keeps its item lock): a deletion requested and approved meanwhile
    /// is accepted and waits for the lock (WaitingForItem); a new host resumes the restore from its checkpoint, the
    /// tar is valid, and only after the restore completed does the deletion take the lock and complete.
    /// </summary>
    [Fact]
    public async Task A_host_killed_mid_restore_of_a_large_file_is_resumed_and_a_deletion_waits_for_the_restore()
    {
        var bag = new TestBag("restore-large-" + Guid.NewGuid().ToString("N")[..8]);
        bag.Payload["data/large.bin"] = RandomNumberGenerator.GetBytes(48 * 1024 * 1024);
        var identifier = await world.IngestAsync(bag);

        // Kill the host once the restore has checkpointed a part but not finished. The writer can outrun the poll on a
        // quiet machine (a 48 MiB tar is a few slices); a restore that finished first proves nothing here, so another
        // restore of the same object is asked for (at most five tries), and the kill is only ever made mid-restore.
        var restoreId = Guid.Empty;
        for (var attempt = 1; restoreId == Guid.Empty; attempt++)
        {
            var (_, sent) = await world.RestoreAsync("object", identifier, wait: false);
            var candidate = sent.GetProperty("restoreId").GetGuid();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (true)
            {
                var progress = await world.Stack.QueryAsync("SELECT next_offset, completed_at IS NOT NULL FROM bus.restore_uploads WHERE restore_id = @id",
                    r => (Offset: r.GetInt64(0), Done: r.GetBoolean(1)), ("id", candidate));
                if (progress.Count == 1 && progress[0].Offset > 0)
                {
                    if (!progress[0].Done) restoreId = candidate;
                    else Assert.True(attempt < 5, "five restores in a row finished before the host could be killed");
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, "the restore never checkpointed a part");
                await Task.Delay(20);
            }
        }
        Posix.Kill(world.Stack.Host!.Process.Id, Posix.SigKill);
        await world.Stack.KillHostAsync();
        var atKill = (await world.Stack.QueryAsync("SELECT next_offset FROM bus.restore_uploads WHERE restore_id = @id", r => r.GetInt64(0), ("id", restoreId))).Single();
        // Deletions are requested and approved through the API by two institutional admins.
        var admin = await ApiIdentities.UserWithTokenAsync(world.Stack.Institution, $"admin@{world.Stack.Institution}", "institutional_admin");
        var approver = await ApiIdentities.UserWithTokenAsync(world.Stack.Institution, $"admin2@{world.Stack.Institution}", "institutional_admin");
        ExternalProcess requested, approved;
        await using (var deletionOnly = RunningHost.Start(world.Stack.Environment, "--roles", "api,deletion"))
        {
            await deletionOnly.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            Task<ExternalProcess> Busctl(string token, params string[] args) => ExternalProcess.RunAsync(RepoPaths.Busctl, args,
                new Dictionary<string, string>(world.Stack.Environment) { ["BUS_TOKEN"] = token, ["BUS_API_URL"] = deletionOnly.HealthUrl.ToString() },
                TimeSpan.FromMinutes(2));
            requested = await Busctl(admin, "delete", "request", identifier, "--reason", "test", "--json");
            Assert.True(requested.ExitCode == 0, $"deletion during the restore: exit {requested.ExitCode}: {requested.Stdout}{requested.Stderr}");
            var deletionId = JsonDocument.Parse(requested.Stdout).RootElement.GetProperty("requestId").GetString()!;
            approved = await Busctl(approver, "delete", "approve", deletionId, "--json");
        }
        Assert.True(approved.ExitCode == 0, $"approval during the restore: exit {approved.ExitCode}: {approved.Stdout}{approved.Stderr}");
        var deletion = JsonDocument.Parse(approved.Stdout).RootElement;
        Assert.Equal("WaitingForItem", deletion.GetProperty("state").GetString());
        var deletionRequest = Guid.Parse(deletion.GetProperty("requestId").GetString()!);
        await world.Stack.StartHostAsync();

        var done = await world.WaitForRestoreAsync(restoreId, TimeSpan.FromMinutes(3));
        var deleted = await WaitForDeletionAsync(deletionRequest, TimeSpan.FromMinutes(2));

        Assert.Equal("Completed", done.GetProperty("state").GetString());
        var files = await world.ValidateTarAsync(await world.DownloadAsync(RestoreWorld.RestoreBucket, done.GetProperty("key").GetString()!), bag.Name);
        Assert.Equal(RestoreWorld.Sha256(bag.Payload["data/large.bin"]), RestoreWorld.Sha256(files["data/large.bin"]));
        var slices = await world.Stack.QueryAsync("SELECT slices FROM bus.restore_uploads WHERE restore_id = @id", r => r.GetInt32(0), ("id", restoreId));
        Assert.True(atKill > 0 && slices.Single() >= 2, $"killed at byte {atKill}, {slices.Single()} slice(s)");
        Assert.True(deleted.Waits >= 1, "the approved deletion never waited for the item lock");
        Assert.True(deleted.CompletedAt >= done.GetProperty("finishedAt").GetDateTimeOffset(),
            $"the deletion completed at {deleted.CompletedAt:O}, before the restore finished at {done.GetProperty("finishedAt")}");
    }

    /// <summary>Polls the deletion request's row until it is Completed: its lock waits and completion time.</summary>
    private async Task<(int Waits, DateTimeOffset CompletedAt)> WaitForDeletionAsync(Guid requestId, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var rows = await world.Stack.QueryAsync("SELECT current_state, item_lock_waits, completed_at FROM bus.deletion_requests WHERE correlation_id = @id",
                r => (State: r.GetString(0), Waits: r.GetInt32(1), CompletedAt: r.IsDBNull(2) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(2)), ("id", requestId));
            if (rows is [{ State: "Completed", CompletedAt: { } at } row]) return (row.Waits, at);
            Assert.True(DateTime.UtcNow < until, $"deletion {requestId} did not complete: {(rows.Count == 1 ? rows[0].State : "no row")}\nhost: {world.Stack.Host?.Process.Stdout}");
            await Task.Delay(300);
        }
    }
}
