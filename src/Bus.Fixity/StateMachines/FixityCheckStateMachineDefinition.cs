using MassTransit;
using Bus.Fixity.Steps;
using Bus.Workflows.Steps;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// The check saga's endpoint: retries of transient database errors (the saga row is locked per message,
/// so concurrent events of one check are serialised by the repository), and with PostgreSQL persistence
/// the outbox: the saga row, its sends (VerifyCopy, RepairCopy) and publishes (FixityCheckCompleted)
/// commit together, so a retried event never sends a step twice (<see cref="WorkflowEndpoints.UseWorkflowSagaPolicy"/>).
/// </summary>
public sealed class FixityCheckStateMachineDefinition : SagaDefinition<FixityCheckState>
{
    public FixityCheckStateMachineDefinition()
    {
        EndpointName = FixityEndpoints.Check;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<FixityCheckState> sagaConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseWorkflowSagaPolicy(context, r =>
        {
            r.Handle<Exception>(FixityStepPolicy.IsTransient);
            r.Exponential(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        });
    }
}
