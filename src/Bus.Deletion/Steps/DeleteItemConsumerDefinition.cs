using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Steps;

/// <summary>
/// Endpoint policy of the deletion step: retry with backoff in-process (storage and registry hiccups),
/// then scheduled redelivery (PostgreSQL scheduler, never RabbitMQ's delayed exchange: GUIDE §2),
/// then fault to <c>delete-item_error</c>, from where an operator replays it once the cause is fixed.
/// </summary>
public sealed class DeleteItemConsumerDefinition : ConsumerDefinition<DeleteItemConsumer>
{
    private readonly DeletionOptions _options;
    private readonly DeletionEndpointOutbox _outbox;

    public DeleteItemConsumerDefinition(IOptions<DeletionOptions> options, DeletionEndpointOutbox? outbox = null)
    {
        _options = options.Value;
        _outbox = outbox ?? DeletionEndpointOutbox.InMemory;
        EndpointName = "delete-item";
        // One deletion at a time per process: deletions are rare and S3 deletes are cheap, so
        // serialising them keeps load and logs simple.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeleteItemConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // Every error is retried, then redelivered through the PostgreSQL scheduler (where one exists: not
        // on the in-memory harness), then faulted: a deletion step has no error that a later try can't fix.
        var delays = _outbox.ScheduledRedelivery
            ? Enumerable.Range(1, _options.StepRedeliveryLimit).Select(i => _options.StepRedeliveryDelay * i).ToArray()
            : [];
        new StepFailurePolicy(_ => true, _options.StepRetryLimit, delays,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)).Apply(endpointConfigurator);
        _outbox.Configure(endpointConfigurator, context);
    }
}
