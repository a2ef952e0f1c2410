using MassTransit;

namespace Bus.Workflows.Steps;

/// <summary>
/// The one saga endpoint definition of every workflow: the saga's queue (<see cref="WorkflowQueues"/>), its immediate
/// retries (lost row-lock races, transient database errors) and how many messages one host handles at once; the kit
/// applies them in one order (<see cref="WorkflowEndpoints.UseWorkflowSagaPolicy"/>: retries, then the PostgreSQL outbox).
/// </summary>
public abstract class WorkflowSagaDefinition<TSaga> : SagaDefinition<TSaga> where TSaga : class, ISaga
{
    private readonly Action<IRetryConfigurator> _retry;

    protected WorkflowSagaDefinition(string queue, Action<IRetryConfigurator> retry, int? concurrency = null)
    {
        EndpointName = queue;
        if (concurrency is not null) ConcurrentMessageLimit = concurrency;
        _retry = retry;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TSaga> sagaConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowSagaPolicy(context, _retry);

    /// <summary>
    /// Retries of the errors <paramref name="isTransient"/> names, backing off from 10 ms to at most 2 s over 10 tries:
    /// a lost row-lock race clears in milliseconds.
    /// </summary>
    public static Action<IRetryConfigurator> TransientRetry(Func<Exception, bool> isTransient) => r =>
    {
        r.Handle<Exception>(isTransient);
        r.Exponential(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
    };
}
