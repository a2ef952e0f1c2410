using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Bus.Workflows.Copies;

/// <summary>
/// Every S3 call of the workflow steps and the copy kit goes through this pipeline: a few quick retries with
/// exponential backoff and jitter for transient errors (5xx, throttling, connection refused or
/// reset, timeouts), and a circuit breaker shared by the process so a dead S3 server is not
/// hammered by every step at once. When it gives up, the exception reaches MassTransit's
/// UseMessageRetry and redelivery, then the step's Fault parks the saga.
/// </summary>
public sealed class S3Resilience
{
    public S3Resilience()
    {
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        Pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.8,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(20),
                BreakDuration = TimeSpan.FromSeconds(5),
            })
            .Build();
    }

    public ResiliencePipeline Pipeline { get; }

    public ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(call, cancellationToken);

    public ValueTask RunAsync(Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        Pipeline.ExecuteAsync(call, cancellationToken);

    /// <summary>Worth retrying: the server or the network, not the request (404, 403 and 400 stay fatal).</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == HttpStatusCode.TooManyRequests
                                || s3.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError",
        AmazonServiceException { StatusCode: 0 } => true, // no HTTP answer at all
        AmazonClientException => true,
        HttpRequestException or IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };
}
