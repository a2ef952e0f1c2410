using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Restore.Steps;

/// <summary>The restore step endpoints: the kit's step rule (<see cref="WorkflowEndpoints.UseWorkflowStepPolicy"/>) with <see cref="RestoreStepPolicy"/>.</summary>
public sealed class PrepareRestoreConsumerDefinition : ConsumerDefinition<PrepareRestoreConsumer>
{
    private readonly RestoreOptions _options;

    public PrepareRestoreConsumerDefinition(IOptions<RestoreOptions> options)
    {
        _options = options.Value;
        EndpointName = RestoreEndpoints.Prepare;
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PrepareRestoreConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, RestoreStepPolicy.For(_options));
}

public sealed class WriteRestoreConsumerDefinition : ConsumerDefinition<WriteRestoreConsumer>
{
    private readonly RestoreOptions _options;

    public WriteRestoreConsumerDefinition(IOptions<RestoreOptions> options)
    {
        _options = options.Value;
        EndpointName = RestoreEndpoints.Write;
        // Each write holds two part buffers: two at once keep a host's memory bounded.
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WriteRestoreConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseWorkflowStepPolicy(context, RestoreStepPolicy.For(_options));
}
