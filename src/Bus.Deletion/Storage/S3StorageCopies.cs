using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Deletion.Data;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Bus.Deletion.Storage;

/// <summary>
/// Deletes copies with S3 DeleteObject. S3 answers a delete of a missing key with success, which is
/// what "a missing key counts as done" needs; a missing bucket or a refused permission is not a
/// missing key and throws, so the item is never tombstoned while that copy may still exist.
/// Short transient failures (throttling, 5xx, network) are retried here with Polly; longer outages
/// are left to the step's message retry and the error queue.
/// </summary>
public sealed class S3StorageCopies(IAmazonS3 s3, ILogger<S3StorageCopies> logger) : IStorageCopies
{
    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            UseJitter = true,
        })
        .Build();

    public async Task RemoveAsync(StoredCopy copy, CancellationToken cancellationToken)
    {
        await _retry.ExecuteAsync(async ct =>
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = copy.Bucket, Key = copy.Key }, ct);
        }, cancellationToken);
        logger.LogInformation("Removed copy of {File} from {Bucket}/{Key}", copy.FileIdentifier, copy.Bucket, copy.Key);
    }

    public static bool IsTransient(Exception e) => e switch
    {
        AmazonServiceException s => s.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests
            || s.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling",
        HttpRequestException or TimeoutException or IOException => true,
        TaskCanceledException or OperationCanceledException => false,
        _ => e.InnerException is not null && IsTransient(e.InnerException),
    };
}
