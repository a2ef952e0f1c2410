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
    private readonly InboxClaim _claim;
    private readonly string _virtualHost;
    private readonly List<StoredMessage> _captured = [];

    public PostgresOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        MessageTransaction transaction, InboxClaim claim, string virtualHost)
        : base(context, options, provider)
    {
        _transaction = transaction;
        _claim = claim;
        _virtualHost = virtualHost;
    }

    public bool IsOpen { get; private set; } = true;
    public bool WroteOutbox { get; private set; }

    public override Guid? MessageId => _claim.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    // Duplicates never reach a consumer: the factory (or, for a PostgreSQL saga, the repository) skips
    // a message its inbox row marks consumed.
    public override bool IsMessageConsumed => false;
    public override bool IsOutboxDelivered => false;
    public override int ReceiveCount => _claim.ReceiveCount;
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
    /// The consumer finished: what it sent is written with the commit, in the same batch. (The inbox row
    /// was written consumed when claimed; it commits or rolls back with everything else.)
    /// </summary>
    public override Task SetConsumed()
    {
        if (_captured.Count == 0) return Task.CompletedTask;
        var batch = new List<NpgsqlBatchCommand>();
        WroteOutbox = OutboxSql.AddWrites(batch, _captured, _claim.MessageId, ConsumerId, _virtualHost);
        foreach (var command in batch) _transaction.Defer(command);
        _captured.Clear();
        return Task.CompletedTask;
    }

    // Delivery is not done through the consume pipe here (MassTransit's default takes two more
    // transactions per message): the delivery service sends committed rows in batches.
    public override Task SetDelivered() => Task.CompletedTask;
    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());
    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;
    public override Task RemoveOutboxMessages() => Task.CompletedTask;
}
