using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Bus.Persistence.Outbox;

/// <summary>Puts a stored message on the broker exactly as it was serialized (same MessageId, headers, body).</summary>
internal static class MessageRelay
{
    public static async Task SendAsync(ISendEndpointProvider endpoints, StoredMessage message, CancellationToken cancellationToken)
    {
        var destination = message.DestinationAddress ?? throw new InvalidOperationException($"Stored message {message.MessageId} has no destination");
        var endpoint = await endpoints.GetSendEndpoint(destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
    }
}
