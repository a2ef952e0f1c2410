using Bus.Platform.Options;
using MassTransit;

namespace Bus.Platform.Messaging;

/// <summary>
/// With <c>Bus:RabbitMq:QueueType=quorum</c>, every receive endpoint Bus configures (saga and step queues; not
/// MassTransit's temporary ones, which quorum queues cannot be) is declared as a quorum queue. Only the type is an
/// argument: MassTransit also declares a queue when it first sends to it (<c>queue:</c> addresses), with no
/// arguments, and RabbitMQ refuses a redeclaration whose arguments differ. So the virtual host must be created with
/// default queue type quorum (then an argument-less declaration matches), and the delivery limit that stops a
/// message that kills its consumer every time from looping for ever is a policy (<c>delivery-limit</c>), which
/// declarations do not compare. docs/operations.md §15 gives the rabbitmqctl commands.
/// </summary>
public static class QuorumQueues
{
    public static void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, RabbitMqOptions options)
    {
        if (options.QueueType == QueueTypes.Quorum) endpoint.SetQuorumQueue();
    }
}
