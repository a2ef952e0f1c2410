using MassTransit;

namespace Bus.Workflows.Steps;

/// <summary>
/// How a step consumer's endpoint meets failures (applied by <see cref="WorkflowEndpoints.UseWorkflowStepPolicy"/>, the one place): a transient error (another attempt may not meet it) is
/// retried in-process with exponential backoff, then the message is redelivered later through the
/// PostgreSQL scheduler (<c>bus.scheduled_message</c>; never RabbitMQ's delayed exchange, which the broker here lacks), each
/// redelivery with its own round of retries, and only then faults to <c>&lt;queue&gt;_error</c>. Any other
/// error is fatal: it faults at once, neither retried nor redelivered.
/// </summary>
public sealed record StepFailurePolicy(
    Func<Exception, bool> IsTransient,
    int RetryLimit,
    IReadOnlyList<TimeSpan> RedeliveryIntervals,
    TimeSpan? RetryMinInterval = null,
    TimeSpan? RetryMaxInterval = null,
    TimeSpan? RetryIntervalDelta = null)
{
    /// <summary>
    /// Called before the outbox: configured first, redelivery is the outermost filter, so it
    /// schedules the message only after the retries (and their rolled-back transactions) are spent.
    /// Redelivery needs the bus-wide PostgreSQL scheduler (<c>UseBusPersistence</c>) and a process running
    /// the "scheduler" role in the same RabbitMQ virtual host to send the redelivery when it is due.
    /// </summary>
    public void Apply(IReceiveEndpointConfigurator endpoint)
    {
        if (RedeliveryIntervals.Count > 0)
            endpoint.UseScheduledRedelivery(r =>
            {
                r.Handle<Exception>(IsTransient);
                r.Intervals(RedeliveryIntervals.ToArray());
            });
        if (RetryLimit > 0)
            endpoint.UseMessageRetry(r =>
            {
                r.Handle<Exception>(IsTransient);
                r.Exponential(RetryLimit, RetryMinInterval ?? TimeSpan.FromMilliseconds(200), RetryMaxInterval ?? TimeSpan.FromSeconds(30),
                    RetryIntervalDelta ?? TimeSpan.FromSeconds(1));
            });
    }
}
