using Bus.Workflows.Steps;

namespace Bus.Restore.Steps;

/// <summary>
/// Failure policy of the restore steps (as the other workflows'): transient errors (<see cref="TransientErrors"/>)
/// retried, then redelivered through the PostgreSQL scheduler, then faulted (the saga waits in Faulted, the item
/// stays locked, a replay carries on from the checkpoint). A restore that cannot succeed is not an exception:
/// the step reports <c>RestoreStepFailed</c>.
/// </summary>
public static class RestoreStepPolicy
{
    public static bool IsTransient(Exception exception) => TransientErrors.IsTransient(exception, _ => null);

    public static StepFailurePolicy For(RestoreOptions options) => new(IsTransient, options.RetryLimit, options.RedeliveryIntervals);
}
