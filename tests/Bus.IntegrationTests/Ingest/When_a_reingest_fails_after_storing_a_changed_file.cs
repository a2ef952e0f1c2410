using System.Text;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_reingest_fails_after_storing_a_changed_file
{
    [Fact]
    public async Task Should_leave_the_recorded_version_intact_in_both_buckets_and_remove_what_it_stored()
    {
        // The scheduler role delivers the saga's item-lock retries; no re-copy: the first mismatch fails the ingest.
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Ingest__ItemLockRetrySeconds"] = "1", ["Bus__Ingest__VerifyRecopyAttempts"] = "0",
        });
        var bag = new TestBag("refail-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, _) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal(0, exit);
        var objectId = $"{stack.Institution}/{bag.Name}";
        var before = await stack.RecordedCopiesAsync(objectId);

        // A deletion holds the item, so the reingest stops after Unpack and before Validate: nothing is stored while it waits.
        var deletion = Guid.NewGuid();
        await stack.ExecuteAsync("INSERT INTO bus.item_locks (object_identifier, kind, owner) VALUES (@o, 'deletion', @d)", ("o", objectId), ("d", deletion));
        var old = bag.Payload["data/report.txt"];
        bag.Payload["data/report.txt"] = Encoding.UTF8.GetBytes(new string('Z', old.Length - 1) + "\n");
        var id = await stack.SubmitAsync(bag);
        await stack.WaitForStateAsync(id, "WaitingForItem");
        Assert.Empty(await stack.QueryAsync("SELECT path FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL",
            r => r.GetString(0), ("id", id)));

        // Make Verify reject the changed file's new copy (as if it never verified): Store has written it, then the ingest fails.
        await stack.ExecuteAsync("UPDATE bus.ingest_files SET sha256 = repeat('0', 64) WHERE ingest_id = @id AND path = 'data/report.txt'", ("id", id));
        await stack.ExecuteAsync("DELETE FROM bus.item_locks WHERE object_identifier = @o AND owner = @d", ("o", objectId), ("d", deletion));
        await stack.WaitForStateAsync(id, "Failed", compensated: true);

        var stored = await stack.QueryAsync("SELECT path FROM bus.ingest_files WHERE ingest_id = @id AND primary_stored_at IS NOT NULL ORDER BY path",
            r => r.GetString(0), ("id", id));
        Assert.Contains("data/report.txt", stored);
        Assert.Equal(before, await stack.RecordedCopiesAsync(objectId));
        await stack.AssertOneRecordedCopyPerBucketAsync(objectId);
        var report = before.Where(c => c.File == $"{objectId}/data/report.txt").ToList();
        Assert.Equal(2, report.Count);
        Assert.All(report, c => Assert.Equal(TestBag.Sha256(old), c.Sha256));
        Assert.Empty(await stack.QueryAsync("SELECT owner FROM bus.item_locks WHERE object_identifier = @o", r => r.GetGuid(0), ("o", objectId)));
    }
}
