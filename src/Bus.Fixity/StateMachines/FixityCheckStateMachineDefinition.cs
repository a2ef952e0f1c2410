using MassTransit;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// The check saga's endpoint: retries of transient database errors (the saga row is locked per message,
/// so concurrent events of one check are serialised by the repository).
/// </summary>
public sealed class FixityCheckStateMachineDefinition : SagaDefinition<FixityCheckState>
{
    public FixityCheckStateMachineDefinition()
    {
        EndpointName = FixityEndpoints.Check;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<FixityCheckState> sagaConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<Exception>(FixityErrors.IsTransient);
            r.Exponential(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        });
    }
}
