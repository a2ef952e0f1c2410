using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_faulted_ingest_is_cancelled
{
    [Fact]
    public async Task Its_copies_and_staging_objects_are_removed_and_nothing_is_recorded()
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

        var cancel = await stack.BusctlAsync("ingest", "cancel", id.ToString(), "--reason", "test", "--json");
        Assert.True(cancel.ExitCode == 0, cancel.Stderr + cancel.Stdout);
        Assert.Equal("Cancelled", JsonDocument.Parse(cancel.Stdout).RootElement.GetProperty("state").GetString());

        // Compensation runs just after the saga ends: poll (bounded) until it has removed everything.
        var remaining = int.MaxValue;
        for (var i = 0; i < 100 && remaining != 0; i++)
        {
            remaining = await stack.CountObjectsAsync(stack.Storage.StagingBucket, id + "/");
            foreach (var fileId in primaryCopies) remaining += await stack.CountObjectsAsync(stack.Storage.StandardHotBucket(), fileId.ToString());
            if (remaining != 0) await Task.Delay(200);
        }
        Assert.Equal(0, remaining);
        var objects = await stack.QueryAsync("SELECT count(*) FROM registry.intellectual_objects WHERE institution = @i", r => r.GetInt64(0), ("i", stack.Institution));
        Assert.Equal(0, objects.Single());
        Assert.Contains($"Compensated ingest {id}", stack.Host!.Process.Stdout, StringComparison.Ordinal);
    }
}
