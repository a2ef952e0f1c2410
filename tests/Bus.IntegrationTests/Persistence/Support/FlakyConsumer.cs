using System.Collections.Concurrent;
using Bus.Persistence.Transactions;
using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

public sealed class TransientTestException(string message) : Exception(message);

/// <summary>Fails a configured number of times as if a dependency were briefly down, then records success.</summary>
public sealed class FlakyConsumer(MessageTransaction transaction) : IConsumer<Flaky>
{
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();
    public static readonly ConcurrentDictionary<Guid, DateTime> LastFailure = new();
    public static readonly TimeSpan RedeliveryDelay = TimeSpan.FromSeconds(2);

    public async Task Consume(ConsumeContext<Flaky> context)
    {
        var attempt = Attempts.AddOrUpdate(context.Message.Key, 1, (_, n) => n + 1);
        if (attempt <= context.Message.FailuresBeforeSuccess)
        {
            LastFailure[context.Message.Key] = DateTime.UtcNow;
            throw new TransientTestException($"attempt {attempt} fails");
        }
        await Effects.RecordAsync(transaction, "flaky", context.Message.Key, context.MessageId, context.GetRedeliveryCount());
    }
}

public sealed class FlakyConsumerDefinition : ConsumerDefinition<FlakyConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FlakyConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseScheduledRedelivery(r =>
        {
            r.Handle<TransientTestException>();
            r.Intervals(FlakyConsumer.RedeliveryDelay);
        });
        endpointConfigurator.UsePostgresOutbox(context);
    }
}
