using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// SIGTERM while Unpack is streaming a bag: the step checkpoints at the next file boundary, sends
/// its continuation and returns, so the host exits well within 10 s; a host started afterwards
/// reads on from the checkpoint and completes the ingest with each file stored once per bucket.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_the_host_is_stopped_mid_unpack
{
    [Fact]
    public async Task Should_exit_within_10_seconds_and_a_new_host_completes_the_ingest()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("sigterm-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(1500);
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--json");
        var id = Guid.Parse(JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetString()!);

        // Bounded wait for Unpack to be under way (staging objects appear as files are read).
        var staged = 0;
        for (var i = 0; i < 600 && staged < 20; i++)
        {
            staged = await stack.CountObjectsAsync(stack.Storage.StagingBucket, id + "/");
            if (staged < 20) await Task.Delay(50);
        }
        Assert.True(staged >= 20, "Unpack never started staging files");

        var output = await stack.TerminateHostWithin10SecondsAsync();

        Assert.True(output.Contains($"Unpack of {id} checkpointed after slice 1", StringComparison.Ordinal)
                    && output.Contains("host stopping", StringComparison.Ordinal),
            "Unpack did not checkpoint on SIGTERM (the bag may be too small for this machine): " + output);
        var atStop = (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id", r => r.GetInt64(0), ("id", id))).Single();
        var total = bag.AllFiles().Count;
        Assert.InRange(atStop, 1, total - 1);

        await stack.StartHostAsync();
        string? state = null;
        var status = "";
        for (var i = 0; i < 480 && state != "Completed"; i++)
        {
            if (i > 0) await Task.Delay(500);
            status = (await stack.BusctlAsync("ingest", "status", id.ToString(), "--json")).Stdout;
            state = status.TrimStart().StartsWith('{') && JsonDocument.Parse(status).RootElement.TryGetProperty("state", out var s) ? s.GetString() : null;
        }
        Assert.True(state == "Completed", status + stack.Host!.Process.Stdout);

        var slices = (await stack.QueryAsync("SELECT slices FROM bus.ingest_unpack_checkpoints WHERE ingest_id = @id", r => r.GetInt32(0), ("id", id))).Single();
        Assert.True(slices >= 2, $"Unpack took {slices} slice(s): the second host should have resumed from the checkpoint");
        var rows = await stack.QueryAsync("SELECT path, sha256 FROM bus.ingest_files WHERE ingest_id = @id",
            r => (Path: r.GetString(0), Sha256: r.GetString(1)), ("id", id));
        var expected = bag.AllFiles();
        Assert.Equal(total, rows.Count);
        Assert.All(rows, r => Assert.Equal(TestBag.Sha256(expected[r.Path]), r.Sha256));

        var fileIds = await stack.QueryAsync("""
            SELECT f.id FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o
            """, r => r.GetGuid(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.Equal(total, fileIds.Count);
        var records = await stack.QueryAsync("SELECT count(*), count(DISTINCT (file_id, bucket)) FROM registry.storage_records WHERE file_id = ANY(@ids)",
            r => (All: r.GetInt64(0), Distinct: r.GetInt64(1)), ("ids", fileIds.ToArray()));
        Assert.Equal((2L * total, 2L * total), records.Single());
        // Listing every key of 1,500 files costs minutes on moto_server: a sample shows one object per key and bucket.
        foreach (var fileId in fileIds.Take(50))
        {
            Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.StandardHotBucket(), fileId.ToString()));
            Assert.Equal(1, await stack.CountObjectsAsync(stack.Storage.StandardColdBucket(), fileId.ToString()));
        }
    }
}
