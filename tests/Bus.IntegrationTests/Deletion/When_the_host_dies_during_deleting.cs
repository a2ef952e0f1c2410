using Amazon.S3.Model;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Deletion;

public sealed class When_the_host_dies_during_deleting
{
    [Fact]
    public async Task A_restarted_host_completes_the_deletion()
    {
        // The replica bucket is missing at first, so the step keeps retrying while the saga is in
        // Deleting: that is the moment the host is killed (SIGKILL, no graceful stop).
        var missingBucket = $"bus-deltest-{Guid.NewGuid():N}"[..30];
        await using var world = await DeletionWorld.CreateAsync(replicaBucket: missingBucket);
        var id = Guid.Empty;
        await using (var first = world.StartHost("--Bus:Deletion:StepRetryLimit=10", "--Bus:Deletion:StepRedeliveryLimit=0"))
        {
            await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            id = await world.RequestAcceptedAsync();
            Assert.Equal(0, (await world.DeleteAsAsync(world.Admin, "approve", id.ToString())).Exit);
            await world.WaitForStateAsync(id, "Deleting");
            Posix.Kill(first.Process.Id, Posix.SigKill);
        }

        await world.S3.PutBucketAsync(missingBucket);
        try
        {
            foreach (var (bucket, key) in world.Copies.Where(c => c.Bucket == missingBucket))
                await world.S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "hello" });

            await using var second = world.StartHost();
            await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            await world.WaitForStateAsync(id, "Completed", host: second);
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
