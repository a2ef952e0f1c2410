using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Workflows.Steps;

namespace Bus.Fixity.Steps;

/// <summary>
/// Failure policy of the fixity steps (as ingest's): transient errors (<see cref="TransientErrors"/>) retried
/// at once with backoff, then redelivered later through the PostgreSQL scheduler, then faulted to the
/// queue's _error queue (replayable; the saga waits in Faulted). Fatal errors fault at once: retrying a
/// copy with no registry row, or a registry without a digest, cannot help; a repair whose new copy did
/// not verify is worth another attempt.
/// </summary>
public static class FixityStepPolicy
{
    public static bool IsTransient(Exception exception) => TransientErrors.IsTransient(exception, FixityRule);

    public static StepFailurePolicy For(FixityOptions options) => new(IsTransient, options.RetryLimit, options.RedeliveryIntervals);

    private static bool? FixityRule(Exception e) => e switch
    {
        CopyNotRegisteredException or MissingIngestDigestException => false,
        RepairNotVerifiedException => true,
        _ => null,
    };
}
