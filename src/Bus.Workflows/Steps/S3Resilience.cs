using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Bus.Workflows.Steps;

/// <summary>
/// Every S3 call of the workflow steps goes through this pipeline (one per process): a few quick retries with
/// exponential backoff and jitter for transient errors (5xx, throttling, connection refused or
/// reset, timeouts), and a circuit breaker shared by the process so a dead S3 server is not
/// hammered by every step at once. When it gives up, the exception reaches MassTransit's
/// UseMessageRetry and redelivery, then the step's Fault parks the saga.
/// </summary>
public sealed class S3Resilience
{
    public S3Resilience()
    {
        var transient = new PredicateBuilder().Handle<Exception>(TransientErrors.IsS3Transient);
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
}
