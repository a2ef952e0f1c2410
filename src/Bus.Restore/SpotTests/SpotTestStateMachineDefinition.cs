using Bus.Restore.Steps;
using Bus.Workflows.Steps;
using MassTransit;

namespace Bus.Restore.SpotTests;

/// <summary>The spot test saga's endpoint: immediate retries of lost row-lock races and transient database errors, then the outbox.</summary>
public sealed class SpotTestStateMachineDefinition : SagaDefinition<SpotTestState>
{
    public SpotTestStateMachineDefinition()
    {
        EndpointName = SpotTestEndpoints.Saga;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<SpotTestState> sagaConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseWorkflowSagaPolicy(context, r =>
        {
            r.Handle<Exception>(RestoreStepPolicy.IsTransient);
            r.Exponential(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        });
    }
}
