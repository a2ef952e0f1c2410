using Bus.Workflows.Steps;

namespace Bus.Workflows.Watchdog;

/// <summary>
/// How long a saga may wait in a step's state with no sign of life before its step command counts as lost.
/// A sign of life is the saga row changing (a step event, a step's "started" or progress report) or a step
/// heartbeat (each message of the step, continuation slices included, <see cref="StepHeartbeat"/>; each slice of a
/// sliced copy read). Between two signs a healthy step can spend at most:
/// <list type="bullet">
/// <item>two time slices: the slice in progress (its heartbeat becomes visible only when it commits) and the one before;</item>
/// <item>every in-process retry of every delivery at its longest backoff: (redeliveries + 1) × retries × longest retry interval;</item>
/// <item>every scheduled redelivery interval (the message waits in <c>bus.scheduled_message</c>; the last round then faults
/// the step, and the Fault moves the saga to Faulted, which is not watched).</item>
/// </list>
/// limit = 2 × slice + (R + 1) × n × retryMax + Σ redelivery intervals, plus <see cref="WatchdogOptions.MarginSeconds"/>
/// for queueing, outbox and scheduler delays. Past it the step either reported or its message is gone.
/// </summary>
public static class StuckLimit
{
    public static TimeSpan For(TimeSpan slice, StepFailurePolicy policy)
    {
        var retryMax = policy.RetryMaxInterval ?? TimeSpan.FromSeconds(30);
        var deliveries = policy.RedeliveryIntervals.Count + 1;
        var redeliveries = policy.RedeliveryIntervals.Aggregate(TimeSpan.Zero, (sum, i) => sum + i);
        return 2 * slice + deliveries * policy.RetryLimit * retryMax + redeliveries;
    }
}
