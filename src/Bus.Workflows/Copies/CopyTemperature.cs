using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Steps;

namespace Bus.Workflows.Copies;

/// <summary>What a HEAD of a copy says about reading it now.</summary>
public enum CopyReadiness
{
    /// <summary>A hot storage class: readable at once.</summary>
    Hot,
    /// <summary>A cold class (GLACIER, DEEP_ARCHIVE) whose restore finished: readable until it expires.</summary>
    ColdRestored,
    /// <summary>Cold, its restore requested and still running.</summary>
    ColdRestoring,
    /// <summary>Cold, no restore requested (or the last one expired).</summary>
    Cold,
    Missing,
}

/// <summary>
/// Learns whether a copy is hot or cold from the object itself (HEAD: its storage class and the Restore header),
/// not from configuration, so copies written under any storage option are read right; asks S3 to restore a cold one.
/// Shared by restore (which copy to read) and fixity (a cold copy's periodic read, a repair from a cold copy).
/// </summary>
public sealed class CopyTemperature(IAmazonS3 s3, S3Resilience resilience)
{
    public static bool IsColdClass(string? storageClass) => storageClass is "GLACIER" or "DEEP_ARCHIVE";

    public async Task<CopyReadiness> ReadinessAsync(string bucket, string key, CancellationToken ct)
    {
        GetObjectMetadataResponse head;
        try
        {
            head = await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, c), ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return CopyReadiness.Missing;
        }
        if (!IsColdClass(head.StorageClass?.Value)) return CopyReadiness.Hot;
        if (head.RestoreInProgress == true) return CopyReadiness.ColdRestoring;
        return head.RestoreExpiration is not null || head.RestoreInProgress == false && HasRestoreHeader(head) ? CopyReadiness.ColdRestored : CopyReadiness.Cold;
    }

    private static bool HasRestoreHeader(GetObjectMetadataResponse head) => head.ResponseMetadata?.Metadata?.ContainsKey("x-amz-restore") == true
        || head.Headers.Keys.Any(k => string.Equals(k, "x-amz-restore", StringComparison.OrdinalIgnoreCase));

    /// <summary>Asks S3 to make a cold copy readable for <paramref name="days"/> days; a restore already running is fine.</summary>
    public async Task RequestRestoreAsync(string bucket, string key, string tier, int days, CancellationToken ct)
    {
        try
        {
            await resilience.RunAsync(async c => await s3.RestoreObjectAsync(new RestoreObjectRequest
            {
                BucketName = bucket, Key = key, Days = days, RetrievalTier = new GlacierJobTier(tier),
            }, c), ct);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "RestoreAlreadyInProgress") { }
    }

    /// <summary>
    /// The wait before poll number <paramref name="poll"/> (1-based) of a restore in progress: doubling from
    /// <paramref name="first"/>, capped at <paramref name="max"/> (S3 restores take minutes to 48 hours).
    /// </summary>
    public static TimeSpan PollDelay(TimeSpan first, TimeSpan max, int poll)
    {
        var wait = first;
        for (var i = 1; i < poll && wait < max; i++) wait *= 2;
        return wait < max ? wait : max;
    }
}
