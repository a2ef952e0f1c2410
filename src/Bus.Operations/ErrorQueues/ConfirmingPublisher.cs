using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Publishes one message at a time and returns only when the broker has confirmed it (routed to a
/// queue and, for persistent messages on durable queues, written to disk); throws when it is
/// nacked, unroutable (mandatory), or the channel closes first.
/// Confirmations are tracked here rather than by RabbitMQ.Client's
/// <c>publisherConfirmationTrackingEnabled</c>, because that option stamps an
/// <c>x-dotnet-pub-seq-no</c> header into every message: a replayed or restored message must carry
/// exactly the headers we choose.
/// </summary>
public sealed class ConfirmingPublisher : IAsyncDisposable
{
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);
    private readonly IChannel _channel;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _pending;
    private ulong _sequence;
    private string? _returned;

    private ConfirmingPublisher(IChannel channel)
    {
        _channel = channel;
        channel.BasicAcksAsync += OnAck;
        channel.BasicNacksAsync += OnNack;
        channel.BasicReturnAsync += OnReturn;
        channel.ChannelShutdownAsync += OnShutdown;
    }

    internal static async Task<ConfirmingPublisher> CreateAsync(IConnection connection, CancellationToken cancellationToken) =>
        new(await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false),
            cancellationToken));

    /// <summary>Publishes to the default exchange, so the message reaches exactly the named queue.</summary>
    public async Task PublishToQueueAsync(string queue, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sequence = await _channel.GetNextPublishSequenceNumberAsync(cancellationToken);
        lock (_gate)
        {
            _sequence = sequence;
            _returned = null;
            _pending = pending;
        }
        await _channel.BasicPublishAsync("", queue, mandatory: true, properties, body, cancellationToken);
        try
        {
            await pending.Task.WaitAsync(ConfirmTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new PublishNotConfirmedException($"the broker did not confirm the publish to '{queue}' within {ConfirmTimeout.TotalSeconds:0} s");
        }
        string? returned;
        lock (_gate) returned = _returned;
        // The broker sends basic.return before the basic.ack of an unroutable mandatory message.
        if (returned is not null) throw new PublishNotConfirmedException($"the broker could not route the message to queue '{queue}': {returned}");
    }

    private Task OnAck(object sender, BasicAckEventArgs e)
    {
        Complete(e.DeliveryTag, e.Multiple, null);
        return Task.CompletedTask;
    }

    private Task OnNack(object sender, BasicNackEventArgs e)
    {
        Complete(e.DeliveryTag, e.Multiple, "the broker rejected the message (basic.nack)");
        return Task.CompletedTask;
    }

    private Task OnReturn(object sender, BasicReturnEventArgs e)
    {
        lock (_gate) _returned = $"{e.ReplyCode} {e.ReplyText}";
        return Task.CompletedTask;
    }

    private Task OnShutdown(object sender, ShutdownEventArgs e)
    {
        TaskCompletionSource? pending;
        lock (_gate) { pending = _pending; _pending = null; }
        pending?.TrySetException(new PublishNotConfirmedException($"the channel closed before the broker confirmed: {e.ReplyCode} {e.ReplyText}"));
        return Task.CompletedTask;
    }

    private void Complete(ulong tag, bool multiple, string? failure)
    {
        TaskCompletionSource? pending;
        lock (_gate)
        {
            if (_pending is null || !(tag == _sequence || (multiple && tag >= _sequence))) return;
            pending = _pending;
            _pending = null;
        }
        if (failure is null) pending.TrySetResult();
        else pending.TrySetException(new PublishNotConfirmedException(failure));
    }

    public async ValueTask DisposeAsync()
    {
        try { if (_channel.IsOpen) await _channel.CloseAsync(); }
        catch (RabbitMQ.Client.Exceptions.AlreadyClosedException) { }
        _channel.Dispose();
    }
}

/// <summary>The broker did not take responsibility for a published copy: the original must stay where it is.</summary>
public sealed class PublishNotConfirmedException(string message) : Exception(message);
