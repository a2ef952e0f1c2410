using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Steps;

namespace Bus.Workflows.Copies;

/// <summary>
/// The two questions every multipart upload kept across slices asks (Store's copies, Unpack's
/// staging parts): is the saved upload still there, and abort it (gone already is fine).
/// </summary>
public static class MultipartUploads
{
    /// <summary>
    /// Asked before resuming: S3 answers a part sent to a gone upload with NoSuchUpload, but moto with
    /// a 500 that would be retried as transient.
    /// </summary>
    public static async Task<bool> ExistsAsync(IAmazonS3 s3, S3Resilience resilience, string bucket, string key, string uploadId, CancellationToken ct)
    {
        try
        {
            await resilience.RunAsync(async c => await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = key, UploadId = uploadId, MaxParts = 1 }, c), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
        {
            return false;
        }
    }

    /// <summary>Aborts a multipart upload; one that is already gone is fine. Not cancellable: it runs after a failure or a stop.</summary>
    public static async Task AbortAsync(IAmazonS3 s3, string bucket, string key, string uploadId)
    {
        try
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload") { }
    }
}
