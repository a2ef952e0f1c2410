using Microsoft.Extensions.Options;
using MassTransit;
using Bus.Workflows.Steps;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.Steps;

/// <summary>The fixity step endpoints: the kit's step rule (<see cref="WorkflowEndpoints.UseWorkflowStepPolicy"/>) with <see cref="FixityStepPolicy"/>.</summary>
public sealed class VerifyCopyConsumerDefinition : ConsumerDefinition<VerifyCopyConsumer>
{
    private readonly FixityOptions _options;

    public VerifyCopyConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.VerifyCopy;
        // Each check streams a whole copy: a few at once keep the network busy without starving the host.
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<VerifyCopyConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, FixityStepPolicy.For(_options));
}

public sealed class RepairCopyConsumerDefinition : ConsumerDefinition<RepairCopyConsumer>
{
    private readonly FixityOptions _options;

    public RepairCopyConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.RepairCopy;
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RepairCopyConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, FixityStepPolicy.For(_options));
}

public sealed class RecordCheckOutcomeConsumerDefinition : ConsumerDefinition<RecordCheckOutcomeConsumer>
{
    private readonly FixityOptions _options;

    public RecordCheckOutcomeConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.RecordOutcome;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RecordCheckOutcomeConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, FixityStepPolicy.For(_options));
}
