using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.StateMachines;

/// <summary>
/// The saga's endpoint policy. Concurrent events for one ingest (a progress report racing a step's
/// result) are serialized by the repository's row lock (SELECT ... FOR UPDATE); a lost race is
/// retried. The PostgreSQL outbox commits the saga row, the commands and events a transition sends
/// and its transition history in one transaction, so a crash never loses or duplicates a step.
/// </summary>
public sealed class IngestStateDefinition : SagaDefinition<IngestState>
{
    public IngestStateDefinition(IOptions<IngestOptions> options)
    {
        EndpointName = new IngestQueues(options).Saga;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<IngestState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseWorkflowSagaPolicy(context, r => r.Intervals(50, 200, 500, 1000, 2000));
    }
}
