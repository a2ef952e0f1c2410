using Amazon.S3;
using Amazon.S3.Model;
using Bus.Deletion.Data;
using Microsoft.Extensions.Logging;
using Bus.Workflows.Steps;

namespace Bus.Deletion.Storage;

/// <summary>
/// Deletes copies with S3 DeleteObject. S3 answers a delete of a missing key with success, which is
/// what "a missing key counts as done" needs; a missing bucket or a refused permission is not a
/// missing key and throws, so the item is never tombstoned while that copy may still exist.
/// Short transient failures (throttling, 5xx, network) are retried by the kit's S3 pipeline
/// (<see cref="S3Resilience"/>); longer outages are left to the step's message retry and the error queue.
/// </summary>
public sealed class S3StorageCopies(IAmazonS3 s3, S3Resilience resilience, ILogger<S3StorageCopies> logger) : IStorageCopies
{
    public async Task RemoveAsync(StoredCopy copy, CancellationToken cancellationToken)
    {
        await resilience.RunAsync(async ct =>
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = copy.Bucket, Key = copy.Key }, ct);
        }, cancellationToken);
        logger.LogInformation("Removed copy of {File} from {Bucket}/{Key}", copy.FileIdentifier, copy.Bucket, copy.Key);
    }
}
