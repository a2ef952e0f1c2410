using RabbitMQ.Client;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Reads an error queue without taking anything away: every message is fetched with basic.get and
/// manual acknowledgement and held unacknowledged. Only messages the caller acknowledges (after
/// their copy is safe elsewhere) leave the queue; on dispose all others are rejected with requeue,
/// and a classic queue puts requeued messages back at their original positions, so order is kept.
/// If the process dies instead, the broker requeues them when the connection drops: same result.
/// While held they are invisible to anyone else reading the queue.
/// </summary>
public sealed class ErrorQueueScan : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly List<ErrorMessage> _messages = [];
    private readonly HashSet<ulong> _acknowledged = [];

    private ErrorQueueScan(IChannel channel, string queue)
    {
        _channel = channel;
        Queue = queue;
    }

    public string Queue { get; }
    public IReadOnlyList<ErrorMessage> Messages => _messages;
    /// <summary>True when the scan stopped at its limit with messages still behind it in the queue.</summary>
    public bool Truncated { get; private set; }

    internal static async Task<ErrorQueueScan> OpenAsync(IConnection connection, string queue, int maxMessages,
        Func<IReadOnlyList<ErrorMessage>, bool>? enough, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var scan = new ErrorQueueScan(channel, queue);
        try
        {
            while (true)
            {
                if (scan._messages.Count >= maxMessages)
                {
                    scan.Truncated = (await channel.MessageCountAsync(queue, cancellationToken)) > 0;
                    break;
                }
                var got = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken);
                if (got is null) break;
                scan._messages.Add(new ErrorMessage(queue, scan._messages.Count, got.DeliveryTag, got.BasicProperties, got.Body.ToArray()));
                if (enough is not null && enough(scan._messages))
                {
                    scan.Truncated = got.MessageCount > 0;
                    break;
                }
            }
            return scan;
        }
        catch
        {
            await scan.DisposeAsync();
            throw;
        }
    }

    /// <summary>Removes the message from the error queue. Call only once its copy is confirmed or committed elsewhere.</summary>
    public async Task AcknowledgeAsync(ErrorMessage message, CancellationToken cancellationToken)
    {
        await _channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
        _acknowledged.Add(message.DeliveryTag);
    }

    public bool IsAcknowledged(ErrorMessage message) => _acknowledged.Contains(message.DeliveryTag);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // One multiple-nack on the highest tag still held returns every held message at once
            // (acknowledged ones are no longer outstanding, so they are unaffected).
            var lastHeld = _messages.LastOrDefault(m => !_acknowledged.Contains(m.DeliveryTag));
            if (lastHeld is not null && _channel.IsOpen)
                await _channel.BasicNackAsync(lastHeld.DeliveryTag, multiple: true, requeue: true);
            if (_channel.IsOpen) await _channel.CloseAsync();
        }
        catch (RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // The channel is gone, and with it the broker has requeued whatever was held.
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // A busy broker did not answer the close in time: it requeues whatever it still holds
            // when the connection closes. Throwing here would hide why the scan ended.
        }
        _channel.Dispose();
    }
}
