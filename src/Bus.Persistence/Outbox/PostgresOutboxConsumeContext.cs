using Bus.Persistence.Transactions;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>What the scheduler needs from an open outbox: capture a send in its transaction, or cancel one.</summary>
internal interface IPostgresOutbox
{
    /// <summary>False once the transaction has committed or rolled back: later sends must not be captured here.</summary>
    bool IsOpen { get; }
    Task CancelScheduledAsync(Guid tokenId, CancellationToken cancellationToken);
}

/// <summary>
/// The consume context a consumer or saga sees behind the outbox: every send and publish is captured
/// (serialized once, in memory) and written to the outbox tables in the message's transaction when the
/// consumer completes. Delivery happens after commit, by <see cref="OutboxDeliveryService"/>.
/// </summary>
internal sealed class PostgresOutboxConsumeContext<TMessage> : OutboxConsumeContextProxy<TMessage>, IPostgresOutbox
    where TMessage : class
{
    private readonly MessageTransaction _transaction;
    private readonly Guid _inboxMessageId;
    private readonly string _virtualHost;
    private readonly List<StoredMessage> _captured = [];

    public PostgresOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        MessageTransaction transaction, Guid inboxMessageId, int receiveCount, string virtualHost)
        : base(context, options, provider)
    {
        _transaction = transaction;
        _inboxMessageId = inboxMessageId;
        _virtualHost = virtualHost;
        ReceiveCount = receiveCount;
    }

    public bool IsOpen { get; private set; } = true;
    public bool WroteOutbox { get; private set; }

    public override Guid? MessageId => _inboxMessageId;
    public override bool ContinueProcessing { get; set; } = true;
    // Duplicates never get this far: the factory skips a message its inbox row marks consumed.
    public override bool IsMessageConsumed => false;
    public override bool IsOutboxDelivered => false;
    public override int ReceiveCount { get; }
    public override long? LastSequenceNumber => null;

    public void Close() => IsOpen = false;

    public override Task AddSend<T>(SendContext<T> context)
    {
        _captured.Add(StoredMessage.From(context));
        return Task.CompletedTask;
    }

    public async Task CancelScheduledAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        // Scheduled and cancelled while handling the same message: it never reaches the table.
        if (_captured.RemoveAll(m => m.DueAt is not null && m.TokenId == tokenId) > 0) return;
        await OutboxSql.CancelScheduledAsync(_transaction.Connection, _transaction.Transaction, tokenId, cancellationToken);
    }

    /// <summary>
    /// The consumer finished: write what it sent, still inside the transaction. (The inbox row was
    /// written consumed when claimed; it commits or rolls back with everything else.)
    /// </summary>
    public override async Task SetConsumed()
    {
        if (_captured.Count == 0) return;
        await using var batch = new NpgsqlBatch(_transaction.Connection, _transaction.Transaction);
        WroteOutbox = OutboxSql.AddWrites(batch, _captured, _inboxMessageId, ConsumerId, _virtualHost);
        // The consumer is done; its messages are written even if the host began stopping meanwhile.
        await batch.ExecuteNonQueryAsync(CancellationToken.None);
        _captured.Clear();
    }

    // Delivery is not done through the consume pipe here (MassTransit's default takes two more
    // transactions per message): the delivery service sends committed rows in batches.
    public override Task SetDelivered() => Task.CompletedTask;
    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());
    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;
    public override Task RemoveOutboxMessages() => Task.CompletedTask;
}
