using System.Text.Json;
using Amazon.S3.Model;
using Npgsql;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// One ingest, its host SIGKILLed inside each step in turn. "Inside" is made certain, not hoped for:
/// the S3 steps are killed while the test's own moto_server is frozen (the step waits on a request), and
/// Record while the test holds the bag row Record locks first. The result must equal an uninterrupted
/// ingest of the same bag shape: one copy per file per bucket, nothing left in staging or open as a
/// multipart upload, and the same PREMIS events per file.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_the_host_is_killed_at_every_step
{
    [Fact]
    public async Task Each_restart_finishes_the_ingest_as_if_nothing_had_happened()
    {
        await using var s3 = await OwnS3Server.StartAsync();
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Storage__ServiceUrl"] = s3.Url,
            // The 20 MiB file goes to staging in parts and is copied with a multipart copy: both kinds of upload are in play.
            ["Bus__Ingest__MultipartCopyThresholdBytes"] = (8 * 1024 * 1024).ToString(),
            ["Bus__Ingest__MultipartCopyPartBytes"] = (5 * 1024 * 1024).ToString(),
        });
        var baseline = Bag("calm");
        var (exit, calm) = await stack.SubmitAndWaitAsync(baseline);
        Assert.True(exit == 0, calm.ToString());

        var bag = Bag("kill");
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--json");
        var id = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetGuid();

        // Store and Verify are killed once some files are done and some not: the redelivery must skip the first and finish the rest.
        foreach (var (step, progress) in new[]
                 {
                     // Identify is not killed: Unpack identifies every file from the bytes it stages, so Identify makes no S3
                     // request here that a frozen S3 could hold it inside (it only reads heads a slice boundary cut).
                     ("unpack", ""),
                     ("store", " AND EXISTS (SELECT 1 FROM bus.ingest_files f WHERE f.ingest_id = correlation_id AND f.primary_stored_at IS NOT NULL)"),
                     ("verify", " AND EXISTS (SELECT 1 FROM bus.ingest_files f WHERE f.ingest_id = correlation_id AND f.primary_verified_at IS NOT NULL)"),
                 })
        {
            await WaitForAsync(stack, id, $"{step}_started_at IS NOT NULL{progress}");
            s3.Freeze();
            await KillInsideAsync(stack, id, step);
            s3.Thaw();
            if (step == "verify") break;
            await stack.StartHostAsync();
        }

        // Record: the bag row it locks first is held here, so the restarted host's Record waits inside its transaction.
        await using (var holder = await IngestStack.Database.OpenConnectionAsync())
        await using (var hold = await holder.BeginTransactionAsync())
        {
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM bus.ingest_bags WHERE ingest_id = @id FOR UPDATE", holder, hold))
            {
                lockRow.Parameters.AddWithValue("id", id);
                await lockRow.ExecuteScalarAsync();
            }
            await stack.StartHostAsync();
            await WaitForAsync(stack, id, "record_started_at IS NOT NULL");
            await KillInsideAsync(stack, id, "record");
            await hold.RollbackAsync();
        }

        // CleanUp: S3 is frozen before the host starts, so Record (no S3) finishes and CleanUp waits on its first request.
        s3.Freeze();
        stack.StartHostUnchecked();
        await WaitForAsync(stack, id, "clean_up_started_at IS NOT NULL");
        await KillInsideAsync(stack, id, "clean_up");
        s3.Thaw();
        await stack.StartHostAsync();
        await stack.WaitForStateAsync(id, "Completed");
        // Under load the restarted CleanUp's result can reach the saga before its "started" report (seen: 2,1,2,2,2,1).
        await stack.SagaBecomesAsync(id, "unpack_attempts >= 2 AND store_attempts >= 2 AND verify_attempts >= 2 AND record_attempts >= 2 AND clean_up_attempts >= 2");

        var steps = await stack.QueryAsync("""
            SELECT unpack_attempts, identify_attempts, store_attempts, verify_attempts, record_attempts, clean_up_attempts
            FROM bus.ingest_saga WHERE correlation_id = @id
            """, r => new[] { r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5) }, ("id", id));
        var killed = steps.Single().Where((_, i) => i != 1).ToList();
        Assert.All(killed, attempts => Assert.True(attempts >= 2, $"attempts per step {string.Join(",", steps.Single())}: each killed step ran again"));

        var objectId = $"{stack.Institution}/{bag.Name}";
        await stack.AssertOneRecordedCopyPerBucketAsync(objectId);
        Assert.Equal(bag.AllFiles().Count * 2, (await stack.RecordedCopiesAsync(objectId)).Count);
        Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StagingBucket, id + "/"));
        foreach (var bucket in new[] { stack.Storage.StagingBucket, stack.Storage.StandardHotBucket(), stack.Storage.StandardColdBucket() })
        {
            var open = await stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
            Assert.Empty(open.MultipartUploads ?? []);
        }
        Assert.Equal(await EventsPerFileAsync(stack, $"{stack.Institution}/{baseline.Name}"), await EventsPerFileAsync(stack, objectId));

        // Six crashes left nothing for an operator to judge: no message in any _error or _skipped queue of the vhost.
        foreach (var queue in (await stack.VirtualHost.QueuesAsync()).Keys.Where(q => q.EndsWith("_error", StringComparison.Ordinal) || q.EndsWith("_skipped", StringComparison.Ordinal)))
            Assert.True(await stack.VirtualHost.MessageCountAsync(queue) == 0, $"{queue} holds messages\nhost: {stack.Host!.Process.Stdout}");
    }

    /// <summary>A bag with 150 small files and one of 20 MiB; the same shape under each name.</summary>
    private static TestBag Bag(string prefix)
    {
        var bag = new TestBag(prefix + "-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(150);
        bag.Payload["data/large.bin"] = new byte[20 * 1024 * 1024];
        Random.Shared.NextBytes(bag.Payload["data/large.bin"]);
        return bag;
    }

    /// <summary>Kills the host and asserts the step had not finished: the kill was inside it.</summary>
    private static async Task KillInsideAsync(IngestStack stack, Guid id, string step)
    {
        await stack.KillHostAsync();
        var finished = await stack.QueryAsync($"SELECT {step}_finished_at IS NOT NULL FROM bus.ingest_saga WHERE correlation_id = @id",
            r => r.GetBoolean(0), ("id", id));
        Assert.False(finished.Single(), $"{step} had finished before the host was killed");
    }

    private static async Task WaitForAsync(IngestStack stack, Guid id, string condition)
    {
        if (!await stack.SagaBecomesAsync(id, condition))
            throw new TimeoutException($"ingest {id}: never {condition}; host: {stack.Host?.Process.Stdout}");
    }

    /// <summary>Per file path (inside the bag) and event type: how many PREMIS events the registry holds.</summary>
    private static async Task<List<string>> EventsPerFileAsync(IngestStack stack, string objectId) =>
        await stack.QueryAsync("""
            SELECT CASE WHEN e.file_id IS NULL THEN '(object)' ELSE substr(e.identifier, length(@o) + 2) END || ' ' || e.event_type || ' ' || count(*)
            FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @o GROUP BY e.file_id IS NULL, e.identifier, e.event_type ORDER BY 1
            """, r => r.GetString(0), ("o", objectId));
}
