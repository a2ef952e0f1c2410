using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Bus.Persistence.Outbox;

/// <summary>Puts a stored message on the broker exactly as it was serialized (same MessageId, headers, body).</summary>
internal static class MessageRelay
{
    /// <summary>
    /// Sends with a bound on the whole operation: a destination the broker can never reach (a deleted
    /// virtual host, say) would otherwise hang the caller's batch and keep its other rows locked.
    /// </summary>
    public static async Task SendAsync(ISendEndpointProvider endpoints, StoredMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var destination = message.DestinationAddress ?? throw new InvalidOperationException($"Stored message {message.MessageId} has no destination");
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await Send(endpoints, message, destination, bounded.Token).WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending stored message {message.MessageId} to {destination} took longer than {timeout}");
        }
    }

    private static async Task Send(ISendEndpointProvider endpoints, StoredMessage message, Uri destination, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.GetSendEndpoint(destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
    }
}
