using Bus.IntegrationTests.Support;
using System.Text;
using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_an_ingest_and_a_deletion_meet_on_one_item
{
    [Fact]
    public async Task Should_never_interleave_a_deletion_is_refused_while_the_ingest_holds_the_item_and_an_ingest_is_refused_while_a_deletion_does()
    {
        // A cold-copy bucket of the test's own (the Standard option's second copy): removed after the first version, so the reingest parks in Faulted mid-Store holding the lock.
        var replica = "bus-lock-" + Guid.NewGuid().ToString("N")[..8];
        using (var s3 = Bus.Platform.StorageClientFactory.Create(new Bus.Platform.Options.StorageOptions()))
            await s3.PutBucketAsync(replica);
        // ItemLockMaxWaits 0: an ingest that finds the item locked fails at once (item-locked) instead of waiting on
        // scheduled retries, so this scenario does not depend on the scheduler (waiting: When_a_reingest_fails_after_storing_a_changed_file).
        var environment = StandardOption.WithColdBucket(replica);
        environment["Bus__Ingest__ItemLockMaxWaits"] = "0";
        await using var stack = await IngestStack.StartAsync(environment, roles: "api,ingest,deletion,scheduler");
        var requester = await ApiIdentities.UserWithTokenAsync(stack.Institution, $"requester@{stack.Institution}", "institutional_admin");
        var bag = new TestBag("lock-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(0, (await stack.SubmitAndWaitAsync(bag)).ExitCode);
        var objectId = $"{stack.Institution}/{bag.Name}";
        await EmptyAndDeleteBucketAsync(stack, replica);

        // 1. An ingest in progress (parked in Faulted: copies half made) holds the item: a deletion is refused.
        Change(bag, 'Y');
        var (exit, parked) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal("Faulted", parked.GetProperty("state").GetString());
        var reingest = Guid.Parse(parked.GetProperty("ingestId").GetString()!);
        Assert.Equal([(reingest, "ingest")], await LockAsync(stack, objectId));
        var (refusedExit, refused) = await DeleteAsync(stack, requester, "request", objectId, "--reason", "test");
        Assert.Equal(1, refusedExit);
        Assert.Equal("work-in-progress", refused.GetProperty("code").GetString());

        // 2. Ended (cancelled), the ingest lets go; a deletion request now takes the item.
        await stack.BusctlOkAsync("ingest", "cancel", reingest.ToString(), "--reason", "test", "--json");
        await stack.WaitForStateAsync(reingest, "Cancelled");
        var (acceptedExit, accepted) = await DeleteAsync(stack, requester, "request", objectId, "--reason", "test");
        Assert.True(acceptedExit == 0, accepted.ToString());
        var deletion = accepted.GetProperty("requestId").GetGuid();
        Assert.Equal([(deletion, "deletion")], await LockAsync(stack, objectId));

        // 3. While the deletion is pending, another ingest of the bag stops after Unpack: Failed (item-locked), nothing validated or stored.
        await stack.S3.PutBucketAsync(replica);
        Change(bag, 'X');
        var (lockedExit, locked) = await stack.SubmitAndWaitAsync(bag);
        Assert.Equal(4, lockedExit);
        Assert.Equal("Failed", locked.GetProperty("state").GetString());
        Assert.StartsWith("validate: item-locked:", locked.GetProperty("lastError").GetString());
        var refusedIngest = Guid.Parse(locked.GetProperty("ingestId").GetString()!);
        Assert.Empty(await stack.QueryAsync("SELECT path FROM bus.ingest_files WHERE ingest_id = @id AND (primary_stored_at IS NOT NULL OR store_needed IS DISTINCT FROM true)",
            r => r.GetString(0), ("id", refusedIngest)));
        Assert.Equal([(deletion, "deletion")], await LockAsync(stack, objectId));

        // 4. The deletion ends (cancelled by its requester): the next ingest takes the item and completes.
        var (cancelExit, cancelled) = await DeleteAsync(stack, requester, "cancel", deletion.ToString());
        Assert.True(cancelExit == 0, cancelled.ToString());
        Change(bag, 'W');
        var (doneExit, done) = await stack.SubmitAndWaitAsync(bag);
        Assert.True(doneExit == 0, done.ToString());
        Assert.Empty(await LockAsync(stack, objectId));
    }

    private static void Change(TestBag bag, char fill)
    {
        var old = bag.Payload["data/report.txt"];
        bag.Payload["data/report.txt"] = Encoding.UTF8.GetBytes(new string(fill, old.Length - 1) + "\n");
    }

    private static Task<List<(Guid, string)>> LockAsync(IngestStack stack, string objectId) =>
        stack.QueryAsync("SELECT owner, kind FROM bus.item_locks WHERE object_identifier = @o", r => (r.GetGuid(0), r.GetString(1)), ("o", objectId));

    private static async Task<(int, JsonElement)> DeleteAsync(IngestStack stack, string token, params string[] args)
    {
        var p = await stack.BusctlAsAsync(token, ["delete", .. args, "--json"]);
        Assert.True(p.Stdout.TrimStart().StartsWith('{'), $"busctl printed no JSON (exit {p.ExitCode}): {p.Stderr}");
        return (p.ExitCode, JsonDocument.Parse(p.Stdout).RootElement.Clone());
    }

    private static async Task EmptyAndDeleteBucketAsync(IngestStack stack, string bucket)
    {
        var page = await stack.S3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket });
        foreach (var o in page.S3Objects ?? []) await stack.S3.DeleteObjectAsync(bucket, o.Key);
        await stack.S3.DeleteBucketAsync(bucket);
    }
}
