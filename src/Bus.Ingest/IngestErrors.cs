using Bus.Ingest.Storage;
using Bus.Workflows.Copies;
using Bus.Persistence.Transactions;
using MassTransit;
using Polly.CircuitBreaker;

namespace Bus.Ingest;

/// <summary>
/// Which exceptions out of an ingest step are transient (another attempt may not meet them: S3 5xx,
/// throttling, timeouts, connection loss, an open S3 circuit, PostgreSQL deadlocks and connection loss):
/// those are retried, then redelivered through the PostgreSQL scheduler, then faulted. Everything else
/// is fatal and faults at once (a 404 or 403 from S3, a missing interim row, a bug): another attempt
/// would meet it again, so the saga parks in Faulted for an operator to fix and replay. An invalid bag or
/// an unreadable tar never gets here: the step reports it (BagInvalid) and completes.
/// Classified by type, status code and SqlState, never by message text.
/// </summary>
public static class IngestErrors
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // Parallel work (Identify's batches) fails with every file's exception: transient if any is.
            if (e is AggregateException aggregate) return aggregate.InnerExceptions.Any(IsTransient);
            // The S3 circuit is open: the server was failing a moment ago, so later it may not be.
            if (e is BrokenCircuitException || S3Resilience.IsTransient(e)) return true;
            // MassTransit's wrapper (no inner exception) for a cancellation the consumer caused itself,
            // not the host stopping: an S3 or database call that timed out.
            if (e is ConsumerCanceledException) return true;
        }
        return TransientDatabaseErrors.IsTransient(exception);
    }

    /// <summary>The step endpoints' failure policy: transient errors retried (0.5-20 s backoff), then redelivered through the PostgreSQL scheduler.</summary>
    public static StepFailurePolicy StepPolicy(IngestOptions options) =>
        new(IsTransient, options.RetryLimit, options.RedeliveryIntervals,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
}
