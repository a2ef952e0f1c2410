using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_faulted_ingest_is_cancelled
{
    [Fact]
    public async Task Its_copies_marked_or_not_and_staging_objects_are_removed_and_nothing_is_recorded()
    {
        // A cold-copy bucket of the test's own, removed once the host is up: Store makes the first hot
        // copy, then faults on the cold one after its retries, parking the saga in Faulted with a copy made.
        var replica = "bus-gone-" + Guid.NewGuid().ToString("N")[..8];
        using (var s3 = Bus.Platform.StorageClientFactory.Create(new Bus.Platform.Options.StorageOptions()))
            await s3.PutBucketAsync(replica);
        await using var stack = await IngestStack.StartAsync(StandardOption.WithColdBucket(replica));
        await stack.S3.DeleteBucketAsync(replica);
        var bag = new TestBag("cancel-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, faulted) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal(4, exit);
        Assert.Equal("Faulted", faulted.GetProperty("state").GetString());
        Assert.Equal("store", faulted.GetProperty("currentStep").GetString());
        var id = Guid.Parse(faulted.GetProperty("ingestId").GetString()!);
        var primaryCopies = await stack.QueryAsync("SELECT file_id FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL",
            r => r.GetGuid(0), ("id", id));
        Assert.NotEmpty(primaryCopies);
        // As if a process died after making a copy but before its batch of marks was written (CopyMarks): the copy
        // exists and no mark names it. Compensation must remove it all the same.
        var unmarked = await stack.QueryAsync("""
            UPDATE bus.ingest_files SET primary_stored_at = NULL, primary_etag = NULL
            WHERE ingest_id = @id AND file_id = (SELECT file_id FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL
                                                 ORDER BY path LIMIT 1)
            RETURNING file_id
            """, r => r.GetGuid(0), ("id", id));
        Assert.Single(unmarked);
        Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.StandardHotBucket(), unmarked[0].ToString()));

        var cancel = await stack.BusctlAsync("ingest", "cancel", id.ToString(), "--reason", "test", "--json");
        Assert.True(cancel.ExitCode == 0, cancel.Stderr + cancel.Stdout);
        Assert.Equal("Cancelled", JsonDocument.Parse(cancel.Stdout).RootElement.GetProperty("state").GetString());

        // Compensation runs just after the saga ends: wait (bounded) for its closing log line, then nothing may remain.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!stack.Host!.Process.Stdout.Contains($"Compensated ingest {id}", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Contains($"Compensated ingest {id}", stack.Host!.Process.Stdout, StringComparison.Ordinal);
        var remaining = await stack.CountObjectsAsync(stack.Storage.StagingBucket, id + "/");
        foreach (var fileId in primaryCopies) remaining += await stack.CountObjectsAsync(stack.Storage.StandardHotBucket(), fileId.ToString());
        Assert.Equal(0, remaining);
        var objects = await stack.QueryAsync("SELECT count(*) FROM registry.intellectual_objects WHERE institution = @i", r => r.GetInt64(0), ("i", stack.Institution));
        Assert.Equal(0, objects.Single());
    }
}
