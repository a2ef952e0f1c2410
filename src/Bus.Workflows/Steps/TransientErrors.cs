using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Bus.Persistence.Transactions;
using MassTransit;
using Polly.CircuitBreaker;

namespace Bus.Workflows.Steps;

/// <summary>
/// The one list of errors every workflow step treats as transient (another attempt may not meet them):
/// S3 5xx, throttling, timeouts and connection loss, an open S3 circuit, PostgreSQL serialization
/// failures, deadlocks and connection loss (<see cref="TransientDatabaseErrors"/>). Those are retried,
/// then redelivered through the PostgreSQL scheduler, then faulted. Everything else is fatal and faults
/// at once (a 404 or 403 from S3, a missing row, a bug): another attempt would meet it again, so the saga
/// parks in Faulted for an operator to fix and replay. Classified by type, status code and SqlState, never
/// by message text.
/// </summary>
public static class TransientErrors
{
    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) is transient. <paramref name="workflowRule"/>
    /// lets a workflow give its own exceptions a verdict first (fixity: a copy with no registry row is fatal).
    /// </summary>
    public static bool IsTransient(Exception exception, Func<Exception, bool?>? workflowRule = null)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (workflowRule?.Invoke(e) is { } verdict) return verdict;
            // Parallel work (ingest's Identify batches) fails with every file's exception: transient if any is.
            if (e is AggregateException aggregate) return aggregate.InnerExceptions.Any(inner => IsTransient(inner, workflowRule));
            // The S3 circuit is open: the server was failing a moment ago, so later it may not be.
            if (e is BrokenCircuitException || IsS3Transient(e)) return true;
            // MassTransit's wrapper (no inner exception) for a cancellation the consumer caused itself,
            // not the host stopping: an S3 or database call that timed out.
            if (e is ConsumerCanceledException) return true;
        }
        return TransientDatabaseErrors.IsTransient(exception);
    }

    /// <summary>
    /// Worth retrying an S3 call for (what <see cref="S3Resilience"/> retries): the server or the network,
    /// not the request (404, 403 and 400 stay fatal), and not a cancellation.
    /// </summary>
    public static bool IsS3Transient(Exception e) => e switch
    {
        AmazonServiceException s when (int)s.StatusCode >= 500 || s.StatusCode == HttpStatusCode.TooManyRequests => true,
        AmazonServiceException s when s.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError" or "Throttling" => true,
        AmazonServiceException { StatusCode: 0 } => true, // no HTTP answer at all
        AmazonServiceException => false,
        AmazonClientException => true,
        HttpRequestException or IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        OperationCanceledException => false,
        _ => false,
    };
}
