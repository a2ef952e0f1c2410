using Bus.Persistence.Transactions;
using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>Writes a row and sends a reply: both must happen exactly once per message, or not at all.</summary>
public sealed class TouchConsumer(MessageTransaction transaction) : IConsumer<Touch>
{
    public async Task Consume(ConsumeContext<Touch> context)
    {
        await Effects.RecordAsync(transaction, "touch", context.Message.Key, context.MessageId);
        var reply = await context.GetSendEndpoint(context.Message.ReplyTo);
        await reply.Send(new Touched(context.Message.Key));
    }
}

public sealed class TouchConsumerDefinition : ConsumerDefinition<TouchConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TouchConsumer> consumerConfigurator,
        IRegistrationContext context) => endpointConfigurator.UsePostgresOutbox(context);
}
