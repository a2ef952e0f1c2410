using Bus.Platform.Messaging;
using Bus.Platform.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Bus.Operations.ErrorQueues;

/// <summary>One AMQP connection for an operator command: queue checks, scans and confirmed publishes.</summary>
public sealed class ErrorQueueBroker : IAsyncDisposable
{
    private readonly IConnection _connection;

    private ErrorQueueBroker(IConnection connection) => _connection = connection;

    public static async Task<ErrorQueueBroker> ConnectAsync(RabbitMqOptions o, CancellationToken cancellationToken)
    {
        var factory = RabbitMqTls.ConnectionFactory(o, "busctl-errors");
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(10);
        // A recovered connection would silently requeue what a scan holds and then carry on with
        // stale delivery tags; failing the command is the honest outcome.
        factory.AutomaticRecoveryEnabled = false;
        factory.TopologyRecoveryEnabled = false;
        return new ErrorQueueBroker(await factory.CreateConnectionAsync(cancellationToken));
    }

    /// <summary>Ready messages in <paramref name="queue"/>, or null when it does not exist.</summary>
    public async Task<uint?> ReadyCountAsync(string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel (404), so each check gets its own.
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return ok.MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    public Task<ErrorQueueScan> ScanAsync(string queue, int maxMessages, Func<IReadOnlyList<ErrorMessage>, bool>? enough, CancellationToken cancellationToken) =>
        ErrorQueueScan.OpenAsync(_connection, queue, maxMessages, enough, cancellationToken);

    public Task<ConfirmingPublisher> CreatePublisherAsync(CancellationToken cancellationToken) =>
        ConfirmingPublisher.CreateAsync(_connection, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try { await _connection.CloseAsync(); }
        catch (AlreadyClosedException) { }
        catch (OperationCanceledException)
        {
            // No close-ok within RabbitMQ.Client's 30 s (a busy broker still working through the acks
            // of a large replay): the client has closed the socket instead. The work is done; whatever
            // the broker had not yet processed is requeued like on any lost connection, never lost.
        }
        _connection.Dispose();
    }
}
