using Bus.Workflows.Steps;

namespace Bus.Ingest.Steps;

/// <summary>
/// The ingest steps' failure policy: transient errors (<see cref="TransientErrors"/>), after Polly's quick S3
/// retries, are retried in-process (0.5-20 s backoff), then redelivered through the PostgreSQL scheduler,
/// then faulted, and the Fault parks the saga. An invalid bag or an unreadable tar never gets here: the
/// step reports it (BagInvalid) and completes.
/// </summary>
public static class IngestStepPolicy
{
    public static StepFailurePolicy For(IngestOptions options) =>
        new(e => TransientErrors.IsTransient(e), options.RetryLimit, options.RedeliveryIntervals,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
}
