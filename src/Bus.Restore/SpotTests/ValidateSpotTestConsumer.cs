using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Copies;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Bus.Restore.SpotTests;

/// <summary>
/// Streams the restored tar from the restore bucket through the bag scanner and validator (<see cref="RestoredBagCheck"/>)
/// and compares every file with the registry. The message names the spot test only: what is read comes from the saga's
/// row, and only while the saga is Validating (a forged or late message reads nothing). One read per message: the
/// spot test's size limit (<see cref="SpotTestOptions.SpotTestMaxBytes"/>, at most 16 GiB) bounds it well under the
/// broker's consumer timeout.
/// </summary>
public sealed class ValidateSpotTestConsumer(SpotTestRecords records, SpotTestRegistry registry, IAmazonS3 s3, S3Resilience resilience,
    ILogger<ValidateSpotTestConsumer> logger) : IConsumer<ValidateSpotTest>
{
    public async Task Consume(ConsumeContext<ValidateSpotTest> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.SpotTestId;
        var spot = await records.FindAsync(id, ct);
        if (spot is null || spot.State is not ("Validating" or "Faulted") || spot.RestoreBucket is null || spot.RestoreKey is null || spot.ObjectIdentifier is null)
        {
            logger.LogWarning("ValidateSpotTest {SpotTestId} ignored: the spot test is {State}", id, spot?.State ?? "unknown");
            return;
        }
        var reason = await CheckAsync(spot, spot.ObjectIdentifier, spot.RestoreBucket, spot.RestoreKey, ct);
        if (reason is null) logger.LogInformation("Spot test {SpotTestId}: {Bucket}/{Key} is a valid bag matching the registry", id, spot.RestoreBucket, spot.RestoreKey);
        else logger.LogWarning("Spot test {SpotTestId} of {Object} failed: {Reason}", id, spot.ObjectIdentifier, reason);
        await context.Publish(new SpotTestValidated(id, reason is null, reason));
    }

    private async Task<string?> CheckAsync(SpotTestView spot, string objectIdentifier, string bucket, string key, CancellationToken ct)
    {
        var obj = await registry.FindObjectAsync(objectIdentifier, ct);
        if (obj is null) return $"'{objectIdentifier}' is no longer an active object";
        var expected = await registry.ExpectedFilesAsync(obj, ct);
        GetObjectResponse response;
        try
        {
            response = await resilience.RunAsync(async c => await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, c), ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return $"the restored tar {bucket}/{key} is not there";
        }
        await using var body = new GetObjectBodyStream(response);
        return await RestoredBagCheck.CheckAsync(body, response.ContentLength, obj, expected, ct);
    }
}
