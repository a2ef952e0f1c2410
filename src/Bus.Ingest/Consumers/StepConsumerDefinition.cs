using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Endpoint policy shared by the step consumers: each on its own queue; transient errors (after
/// Polly's quick S3 retries) are retried by MassTransit with exponential backoff, then the message
/// faults to <c>_error</c> and its Fault parks the saga. Fatal errors never reach here as
/// exceptions: steps publish BagInvalid or IngestStepFailed instead. Redelivery through the
/// PostgreSQL scheduler goes between the two once the persistence module provides it.
/// </summary>
public abstract class StepConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    protected StepConsumerDefinition(IOptions<IngestOptions> options, Func<IngestQueues, string> queue, int concurrency)
    {
        EndpointName = queue(new IngestQueues(options));
        ConcurrentMessageLimit = concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Math.Max(ConcurrentMessageLimit ?? 1, 1);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Exponential(5, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
            r.Ignore<ArgumentException>();
        });
    }
}
