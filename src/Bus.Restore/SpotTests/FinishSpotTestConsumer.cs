using Amazon.S3;
using Amazon.S3.Model;
using Bus.Contracts.Restore;
using Bus.Restore.Steps;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Bus.Restore.SpotTests;

/// <summary>
/// Ends a spot test: deletes the restored copy (a key already gone counts as deleted) and, when the spot test failed,
/// raises the <c>spot-test-failed</c> alert (its id derived from the spot test's, so a redelivery adds nothing). It
/// re-reads the saga row first and deletes only a key under the spot-test prefix the saga recorded, only while the
/// saga is Finishing (or Failed: the late tar of a timed-out spot test's restore, which the saga recorded).
/// </summary>
public sealed class FinishSpotTestConsumer(SpotTestRecords records, SpotTestRegistry registry, IAmazonS3 s3, S3Resilience resilience,
    ILogger<FinishSpotTestConsumer> logger) : IConsumer<FinishSpotTest>
{
    public async Task Consume(ConsumeContext<FinishSpotTest> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.SpotTestId;
        var spot = await records.FindAsync(id, ct);
        if (spot is null || spot.State is not ("Finishing" or "Faulted" or "Failed") || spot.Outcome is null)
        {
            logger.LogWarning("FinishSpotTest {SpotTestId} ignored: the spot test is {State}", id, spot?.State ?? "unknown");
            return;
        }
        if (spot.RestoreBucket is { } bucket && spot.RestoreKey is { } key && key.StartsWith(RestoreKeys.SpotTestPrefix, StringComparison.Ordinal))
        {
            await resilience.RunAsync(async c => await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, c), ct);
            logger.LogInformation("Spot test {SpotTestId}: restored copy {Bucket}/{Key} deleted", id, bucket, key);
        }
        if (spot.Outcome == SpotTestOutcomes.Failed)
            await registry.RaiseFailedAsync(id, spot.Institution, spot.ObjectIdentifier,
                $"restore spot test {id} of {spot.ObjectIdentifier ?? spot.Institution} failed: {spot.Reason}", ct);
        await context.Publish(new SpotTestCleanedUp(id));
    }
}
