using Bus.Restore.Steps;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Restore.SpotTests;

/// <summary>The spot test step endpoints: the kit's step rule with restore's failure policy (<see cref="RestoreStepPolicy"/>).</summary>
public sealed class ValidateSpotTestConsumerDefinition : ConsumerDefinition<ValidateSpotTestConsumer>
{
    private readonly RestoreOptions _options;

    public ValidateSpotTestConsumerDefinition(IOptions<RestoreOptions> options)
    {
        _options = options.Value;
        EndpointName = SpotTestEndpoints.Validate;
        // Each validation streams a tar and keeps its tag files: a few at once per host.
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ValidateSpotTestConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, RestoreStepPolicy.For(_options));
}

public sealed class FinishSpotTestConsumerDefinition : ConsumerDefinition<FinishSpotTestConsumer>
{
    private readonly RestoreOptions _options;

    public FinishSpotTestConsumerDefinition(IOptions<RestoreOptions> options)
    {
        _options = options.Value;
        EndpointName = SpotTestEndpoints.Finish;
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FinishSpotTestConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, RestoreStepPolicy.For(_options));
}
