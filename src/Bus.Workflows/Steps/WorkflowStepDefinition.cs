using MassTransit;

namespace Bus.Workflows.Steps;

/// <summary>
/// The one step endpoint definition of every workflow: a step says its queue (<see cref="WorkflowQueues"/>), its failure
/// policy and how many messages one host handles at once; the kit applies them in one order
/// (<see cref="WorkflowEndpoints.UseWorkflowStepPolicy"/>: scheduled redelivery, retries, then the PostgreSQL outbox).
/// </summary>
public abstract class WorkflowStepDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly StepFailurePolicy _policy;
    private readonly bool _prefetchOnlyWhatItRuns;

    /// <param name="queue">the step's queue</param>
    /// <param name="policy">which errors are retried and redelivered</param>
    /// <param name="concurrency">messages handled at once per host; null leaves MassTransit's default</param>
    /// <param name="prefetchOnlyWhatItRuns">take from the queue only as many messages as it handles at once, instead of the
    /// bus-wide prefetch: a long step's waiting commands then stay on the queue for another host to take</param>
    protected WorkflowStepDefinition(string queue, StepFailurePolicy policy, int? concurrency = null, bool prefetchOnlyWhatItRuns = false)
    {
        EndpointName = queue;
        if (concurrency is not null) ConcurrentMessageLimit = concurrency;
        _policy = policy;
        _prefetchOnlyWhatItRuns = prefetchOnlyWhatItRuns;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (_prefetchOnlyWhatItRuns) endpointConfigurator.PrefetchCount = Math.Max(ConcurrentMessageLimit ?? 1, 1);
        endpointConfigurator.UseWorkflowStepPolicy(context, _policy);
    }
}
