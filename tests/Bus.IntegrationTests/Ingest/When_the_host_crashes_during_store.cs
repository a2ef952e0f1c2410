using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_the_host_crashes_during_store
{
    [Fact]
    public async Task A_restarted_host_completes_it_with_one_copy_per_file_and_bucket()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("crash-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(300);
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--institution", stack.Institution, "--json");
        var id = Guid.Parse(JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetString()!);

        // Wait (bounded) until Store has made some copies but not all, then kill the host outright.
        var stored = 0L;
        for (var i = 0; i < 600 && stored == 0; i++)
        {
            stored = (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL",
                r => r.GetInt64(0), ("id", id))).Single();
            if (stored == 0) await Task.Delay(100);
        }
        Assert.True(stored > 0, "Store never started");
        await stack.CrashAndRestartHostAsync();
        var total = bag.AllFiles().Count;
        var atCrash = (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id AND replica_stored_at IS NOT NULL",
            r => r.GetInt64(0), ("id", id))).Single();
        Assert.True(atCrash < total, "the host finished Store before it was killed: the bag is too small for this machine");

        var status = await stack.BusctlAsync("ingest", "status", id.ToString(), "--json");
        for (var i = 0; i < 240 && JsonDocument.Parse(status.Stdout).RootElement.GetProperty("state").GetString() != "Completed"; i++)
        {
            await Task.Delay(500);
            status = await stack.BusctlAsync("ingest", "status", id.ToString(), "--json");
        }
        var result = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.True(result.GetProperty("state").GetString() == "Completed", status.Stdout + stack.Host!.Process.Stdout);

        var fileIds = await stack.QueryAsync("""
            SELECT f.id FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o
            """, r => r.GetGuid(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.Equal(total, fileIds.Count);
        foreach (var fileId in fileIds)
        {
            Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.PrimaryBucket, fileId.ToString()));
            Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.ReplicaBucket, fileId.ToString()));
        }
        var records = await stack.QueryAsync("SELECT count(*) FROM registry.storage_records WHERE file_id = ANY(@ids)",
            r => r.GetInt64(0), ("ids", fileIds.ToArray()));
        Assert.Equal(2L * total, records.Single());
        var storeAttempts = result.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "store").GetProperty("attempts").GetInt32();
        Assert.True(storeAttempts >= 2, $"store attempts {storeAttempts}: the redelivered StoreFiles after the crash is a second attempt");
    }
}
