using MassTransit;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// Endpoint policy of the deletion saga: its queue is <c>deletion-state</c>; database conflicts and
/// transient errors are retried; responses and published messages leave only after the saga is
/// saved (outbox), so a caller is never told "accepted" for a transition that was rolled back.
/// </summary>
public sealed class DeletionStateDefinition : SagaDefinition<DeletionState>
{
    private readonly DeletionEndpointOutbox _outbox;

    public DeletionStateDefinition(DeletionEndpointOutbox? outbox = null)
    {
        _outbox = outbox ?? DeletionEndpointOutbox.InMemory;
        EndpointName = "deletion-state";
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<DeletionState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000, 5000));
        _outbox.Configure(endpointConfigurator, context);
    }
}
