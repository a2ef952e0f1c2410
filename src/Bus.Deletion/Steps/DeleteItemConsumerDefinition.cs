using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Steps;

/// <summary>
/// Endpoint policy of the deletion step (the kit's step rule, <see cref="WorkflowEndpoints.UseWorkflowStepPolicy"/>):
/// retry with backoff in-process (storage and registry hiccups), then scheduled redelivery through the
/// PostgreSQL scheduler, then fault to <c>deletion-delete-item_error</c>, from where an operator replays it
/// once the cause is fixed. Every error counts: a deletion step has no error that a later try can't fix.
/// </summary>
public sealed class DeleteItemConsumerDefinition : ConsumerDefinition<DeleteItemConsumer>
{
    private readonly DeletionOptions _options;

    public DeleteItemConsumerDefinition(IOptions<DeletionOptions> options)
    {
        _options = options.Value;
        EndpointName = DeletionQueues.DeleteItem;
        // One deletion at a time per process: deletions are rare and S3 deletes are cheap, so
        // serialising them keeps load and logs simple.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeleteItemConsumer> consumerConfigurator, IRegistrationContext context)
    {
        var delays = Enumerable.Range(1, _options.StepRedeliveryLimit).Select(i => _options.StepRedeliveryDelay * i).ToArray();
        endpointConfigurator.UseWorkflowStepPolicy(context, new StepFailurePolicy(_ => true, _options.StepRetryLimit, delays,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
    }
}
