using Bus.Persistence.Transactions;
using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>The receiving end of a scenario: records each Touched and Fired it gets (behind its own inbox).</summary>
public sealed class RecordConsumer(MessageTransaction transaction) : IConsumer<Touched>, IConsumer<Fired>
{
    public Task Consume(ConsumeContext<Touched> context) =>
        Effects.RecordAsync(transaction, "touched", context.Message.Key, context.MessageId);

    public Task Consume(ConsumeContext<Fired> context) =>
        Effects.RecordAsync(transaction, "fired", context.Message.Key, context.MessageId);
}

public sealed class RecordConsumerDefinition : ConsumerDefinition<RecordConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RecordConsumer> consumerConfigurator,
        IRegistrationContext context) => endpointConfigurator.UsePostgresOutbox(context);
}
