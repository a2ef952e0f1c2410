using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Consumers;

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
        // Outermost: a step that still fails after its retries goes back to the queue later (through the
        // PostgreSQL scheduler), and only then to the error queue.
        if (_outbox.ScheduledRedelivery && _options.StepRedeliveryLimit > 0)
        {
            var delays = Enumerable.Range(1, _options.StepRedeliveryLimit).Select(i => _options.StepRedeliveryDelay * i).ToArray();
            endpointConfigurator.UseScheduledRedelivery(r => r.Intervals(delays));
        }
        endpointConfigurator.UseMessageRetry(r => r.Exponential(_options.StepRetryLimit, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
        _outbox.Configure(endpointConfigurator, context);
    }
}
