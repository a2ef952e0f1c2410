using Amazon.S3.Model;

namespace Bus.IntegrationTests.Deletion;

public sealed class When_a_copy_cannot_be_deleted
{
    [Fact]
    public async Task The_object_stays_active_the_saga_faults_and_a_replay_after_the_fix_completes_it()
    {
        // The replica copies are recorded in a bucket that does not exist yet: DeleteObject fails
        // with NoSuchBucket, which must not count as "already gone".
        var missingBucket = $"bus-deltest-{Guid.NewGuid():N}"[..30];
        await using var world = await DeletionWorld.CreateAsync(replicaBucket: missingBucket);
        await using var host = world.StartHost("--Bus:Deletion:StepRetryLimit=1", "--Bus:Deletion:StepRedeliveryLimit=0");
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var id = await world.RequestAcceptedAsync();
        Assert.Equal(0, (await world.DeleteAsAsync(world.Admin, "approve", id.ToString())).Exit);

        var faulted = await world.WaitForStateAsync(id, "Faulted", host: host);
        Assert.Contains("AmazonS3Exception: The specified bucket does not exist", faulted.GetProperty("faultReason").GetString() ?? "", StringComparison.Ordinal);
        Assert.Equal("active", await world.QueryAsync("SELECT state FROM registry.intellectual_objects WHERE identifier = @object", r => { r.Read(); return r.GetString(0); }));
        Assert.Equal(0L, await world.QueryAsync("""
            SELECT count(*) FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @object AND e.event_type = 'deletion'
            """, r => { r.Read(); return r.GetInt64(0); }));

        // Fix: the bucket exists (and holds the copies), then replay the faulted step from its error queue.
        await world.S3.PutBucketAsync(missingBucket);
        try
        {
            foreach (var (bucket, key) in world.Copies.Where(c => c.Bucket == missingBucket))
                await world.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "hello" });
            var replay = await world.BusctlAsync("errors", "replay", "deletion-delete-item_error", "--all", "--by", "deletion-test");
            Assert.True(replay.ExitCode == 0, replay.Stdout + replay.Stderr);

            await world.WaitForStateAsync(id, "Completed", host: host);
            foreach (var (bucket, key) in world.Copies) Assert.False(await world.ExistsInS3Async(bucket, key));
            Assert.Equal("deleted", await world.QueryAsync("SELECT state FROM registry.intellectual_objects WHERE identifier = @object", r => { r.Read(); return r.GetString(0); }));
        }
        finally
        {
            foreach (var (bucket, key) in world.Copies.Where(c => c.Bucket == missingBucket)) await world.S3.DeleteObjectAsync(bucket, key);
            await world.S3.DeleteBucketAsync(missingBucket);
        }
    }
}
