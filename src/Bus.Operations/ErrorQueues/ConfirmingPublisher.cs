using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Publishes copies and reports, per copy, whether the broker confirmed it (routed to its queue and,
/// for persistent messages on durable queues, written to disk) or why not: nacked, unroutable
/// (mandatory), no confirm in time, or the channel closed first. A batch is published without waiting
/// in between, so the broker confirms many copies per disk write; the caller bounds the batch.
/// Confirmations are tracked here rather than by RabbitMQ.Client's
/// <c>publisherConfirmationTrackingEnabled</c>, because that option stamps an
/// <c>x-dotnet-pub-seq-no</c> header into every message (and throttles past 128 outstanding):
/// a replayed or restored message must carry exactly the headers we choose.
/// </summary>
public sealed class ConfirmingPublisher : IAsyncDisposable
{
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);
    private readonly IChannel _channel;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<ulong, Outstanding> _outstanding = [];
    private string? _closed;

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

    /// <summary>Publishes to the default exchange, so the message reaches exactly the named queue; throws unless confirmed.</summary>
    public async Task PublishToQueueAsync(string queue, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var failure = (await PublishAllAsync([new QueuedCopy(queue, properties, body)], cancellationToken))[0];
        if (failure is not null) throw new PublishNotConfirmedException(failure);
    }

    /// <summary>
    /// Publishes every copy, in order, each to exactly its named queue, then waits for all their
    /// confirms. Returns, in the same order, null for each copy the broker confirmed and the reason
    /// for each it did not. Only a confirmed copy is safe: anything else may or may not have arrived.
    /// </summary>
    public async Task<IReadOnlyList<string?>> PublishAllAsync(IReadOnlyList<QueuedCopy> copies, CancellationToken cancellationToken)
    {
        var pending = new Outstanding[copies.Count];
        var sequences = new List<ulong>(copies.Count);
        for (var i = 0; i < copies.Count; i++)
        {
            var copy = copies[i];
            var entry = pending[i] = new Outstanding(copy.Queue, copy.Properties.MessageId);
            // One caller at a time: the next sequence number is this publish's only while nobody else publishes.
            var sequence = await _channel.GetNextPublishSequenceNumberAsync(cancellationToken);
            string? closed;
            lock (_gate)
            {
                closed = _closed;
                if (closed is null) _outstanding[sequence] = entry;
            }
            if (closed is not null)
            {
                entry.Complete(closed);
                continue;
            }
            sequences.Add(sequence);
            try
            {
                await _channel.BasicPublishAsync("", copy.Queue, mandatory: true, copy.Properties, copy.Body, cancellationToken);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
            {
                lock (_gate)
                {
                    _outstanding.Remove(sequence);
                    closed = _closed ??= $"the channel closed before the broker confirmed: {e.Message}";
                }
                entry.Complete(closed);
            }
        }

        try
        {
            await Task.WhenAll(pending.Select(p => p.Result)).WaitAsync(ConfirmTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (_gate)
                foreach (var sequence in sequences) _outstanding.Remove(sequence);
            foreach (var p in pending)
                p.Complete($"the broker did not confirm the publish to '{p.Queue}' within {ConfirmTimeout.TotalSeconds:0} s");
        }
        return pending.Select(p => p.Result.Result).ToList();
    }

    private Task OnAck(object sender, BasicAckEventArgs e)
    {
        Complete(e.DeliveryTag, e.Multiple, null);
        return Task.CompletedTask;
    }

    private Task OnNack(object sender, BasicNackEventArgs e)
    {
        Complete(e.DeliveryTag, e.Multiple, "the broker rejected the message (basic.nack, e.g. the queue is full and rejects publishes)");
        return Task.CompletedTask;
    }

    /// <summary>
    /// basic.return carries no sequence number, but the broker sends it before the confirm of the same
    /// message: mark the outstanding copies to that queue with that MessageId (all of them when it has
    /// none), so their confirm reports them as not delivered. Marking one too many only keeps an original.
    /// </summary>
    private Task OnReturn(object sender, BasicReturnEventArgs e)
    {
        var messageId = e.BasicProperties.MessageId;
        var reason = $"the broker could not route the message to queue '{e.RoutingKey}': {e.ReplyCode} {e.ReplyText}";
        lock (_gate)
            foreach (var entry in _outstanding.Values)
                if (entry.Queue == e.RoutingKey && (messageId is null || entry.MessageId == messageId))
                    entry.Returned ??= reason;
        return Task.CompletedTask;
    }

    private Task OnShutdown(object sender, ShutdownEventArgs e)
    {
        List<Outstanding> failed;
        string reason;
        lock (_gate)
        {
            reason = _closed ??= $"the channel closed before the broker confirmed: {e.ReplyCode} {e.ReplyText}";
            failed = _outstanding.Values.ToList();
            _outstanding.Clear();
        }
        foreach (var entry in failed) entry.Complete(reason);
        return Task.CompletedTask;
    }

    private void Complete(ulong tag, bool multiple, string? failure)
    {
        var done = new List<(Outstanding Entry, string? Failure)>();
        lock (_gate)
        {
            if (multiple)
            {
                // Sorted, so the confirmed ones are the smallest sequence numbers.
                var confirmed = _outstanding.Keys.TakeWhile(sequence => sequence <= tag).ToList();
                foreach (var sequence in confirmed)
                {
                    done.Add((_outstanding[sequence], failure ?? _outstanding[sequence].Returned));
                    _outstanding.Remove(sequence);
                }
            }
            else if (_outstanding.Remove(tag, out var entry)) done.Add((entry, failure ?? entry.Returned));
        }
        foreach (var (entry, result) in done) entry.Complete(result);
    }

    public async ValueTask DisposeAsync()
    {
        try { if (_channel.IsOpen) await _channel.CloseAsync(); }
        catch (AlreadyClosedException) { }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException) { } // busy broker; the connection's close ends it
        _channel.Dispose();
    }

    /// <summary>One published copy awaiting its confirm. Completes with null (confirmed) or why not, exactly once.</summary>
    private sealed class Outstanding(string queue, string? messageId)
    {
        private readonly TaskCompletionSource<string?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Queue { get; } = queue;
        public string? MessageId { get; } = messageId;
        public string? Returned { get; set; }
        public Task<string?> Result => _result.Task;
        public void Complete(string? failure) => _result.TrySetResult(failure);
    }
}

/// <summary>A message to publish to exactly one queue, through the default exchange.</summary>
public sealed record QueuedCopy(string Queue, BasicProperties Properties, ReadOnlyMemory<byte> Body);

/// <summary>The broker did not take responsibility for a published copy: the original must stay where it is.</summary>
public sealed class PublishNotConfirmedException(string message) : Exception(message);
