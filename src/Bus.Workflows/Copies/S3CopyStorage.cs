using Bus.Workflows.Steps;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Bus.Workflows.Copies;

/// <summary>
/// Copies in S3: streamed (ranged, If-Match) GETs, opened through <see cref="S3Resilience"/> (the body is read
/// by the caller: a read cut short fails the slice, which continues from its last checkpoint), and
/// server-side copies through the one <see cref="CopyWriter"/>.
/// </summary>
public sealed class S3CopyStorage(IAmazonS3 s3, S3Resilience resilience, CopyWriter writer, CopyChecksums checksums, CopyTemperature temperature) : ICopyStorage
{
    public async Task<CopyRead?> OpenReadAsync(string bucket, string key, long offset, CopyVersion? version, CancellationToken cancellationToken)
    {
        if (version is null && offset != 0) throw new ArgumentException("a read from an offset needs the version it continues", nameof(version));
        try
        {
            if (version is not null && offset >= version.Size)
            {
                // Nothing left to read (a check paused exactly at the end): still make sure the version is the same.
                var head = await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, EtagToMatch = version.ETag }, c), cancellationToken);
                Same(bucket, key, version, head.ETag, head.ContentLength);
                return new CopyRead(Stream.Null, version);
            }
            var request = new GetObjectRequest { BucketName = bucket, Key = key };
            if (version is not null)
            {
                // If-Match: S3 refuses (412) rather than serve bytes of a newer version.
                request.EtagToMatch = version.ETag;
                request.ByteRange = new ByteRange(offset, version.Size - 1);
            }
            var response = await resilience.RunAsync(async c => await s3.GetObjectAsync(request, c), cancellationToken);
            if (version is not null && response.ETag != version.ETag)
            {
                response.Dispose();
                Same(bucket, key, version, response.ETag, version.Size);
            }
            return new CopyRead(new GetObjectBodyStream(response), version ?? new CopyVersion(response.ETag, response.ContentLength));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e) when (version is not null && e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            throw new CopyChangedException($"{bucket}/{key} is no longer version {version.ETag} ({version.Size} bytes): {e.StatusCode}");
        }
    }

    /// <summary>Servers that ignore If-Match still report the ETag: compare it too.</summary>
    private static void Same(string bucket, string key, CopyVersion version, string etag, long size)
    {
        if (etag != version.ETag || size != version.Size)
            throw new CopyChangedException($"{bucket}/{key} is now version {etag} ({size} bytes), the read began on {version.ETag} ({version.Size} bytes)");
    }

    public Task CopyAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CopyWriteOptions write, CancellationToken cancellationToken) =>
        writer.CopyWholeAsync(sourceBucket, sourceKey, targetBucket, targetKey, write, cancellationToken);

    public Task<CopyAttributes?> HeadAsync(string bucket, string key, CancellationToken cancellationToken) => checksums.HeadAsync(bucket, key, cancellationToken);

    public Task<CopyReadiness> ReadinessAsync(string bucket, string key, CancellationToken cancellationToken) => temperature.ReadinessAsync(bucket, key, cancellationToken);

    public Task RequestRestoreAsync(string bucket, string key, string tier, int days, CancellationToken cancellationToken) =>
        temperature.RequestRestoreAsync(bucket, key, tier, days, cancellationToken);
}
