using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

public sealed class ConformanceSagaDefinition : SagaDefinition<ConformanceState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<ConformanceState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UsePostgresOutbox(context);
    }
}
