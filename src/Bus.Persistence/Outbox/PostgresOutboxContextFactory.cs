using Bus.Persistence.Transactions;
using Bus.Platform.Options;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Persistence.Outbox;

/// <summary>
/// Runs one consumed message inside a PostgreSQL transaction: claims the inbox row (or skips a message
/// already consumed by this consumer), lets the consumer run on <see cref="MessageTransaction"/>, writes
/// what it sent to the outbox and commits. One transaction per message; delivery happens after commit.
/// </summary>
internal sealed class PostgresOutboxContextFactory(
    MessageTransaction transaction,
    OutboxNotification notification,
    IServiceProvider provider,
    IOptions<RabbitMqOptions> rabbitMq,
    ILogger<PostgresOutboxContextFactory> logger) : IOutboxContextFactory<MessageTransaction>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next) where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "MessageId required to use the outbox");
        PostgresOutboxConsumeContext<T>? outboxContext = null;
        try
        {
            await transaction.BeginAsync(context.CancellationToken);
            var (consumed, receiveCount) = await ClaimInboxAsync(messageId, options, context.CancellationToken);
            if (consumed)
            {
                await transaction.CommitAsync(context.CancellationToken);
                logger.LogDebug("Inbox skipped {MessageId} for {Consumer}: already consumed ({ReceiveCount} deliveries)", messageId, options.ConsumerType, receiveCount);
                return;
            }

            // Behind the outbox and the consumer's own context proxy, this is how OutsideOutbox finds the transport.
            context.AddOrUpdatePayload(() => new TransportConsumeContext(context), _ => new TransportConsumeContext(context));
            outboxContext = new PostgresOutboxConsumeContext<T>(context, options, provider, transaction, messageId, receiveCount, rabbitMq.Value.VirtualHost);
            await next.Send(outboxContext);
            // Not the message's token: a consumer that finished because the host is stopping (a long step
            // that checkpointed and sent itself a continuation) must still commit what it did.
            await transaction.CommitAsync(CancellationToken.None);
            outboxContext.Close();
            if (outboxContext.WroteOutbox) notification.Delivered();
        }
        catch (Exception e) when (e is not DatabaseTransientException && TransientDatabaseErrors.IsTransient(e))
        {
            throw new DatabaseTransientException($"Transient database error handling {TypeCache<T>.ShortName} {messageId}: {e.Message}", e);
        }
        finally
        {
            outboxContext?.Close();
            await transaction.EndAsync();
        }
    }

    /// <summary>
    /// Claims the inbox row, already marked consumed: it only becomes visible if this transaction
    /// commits, so every committed row is a consumed message and a conflict means a duplicate. The
    /// upsert also takes the row lock, so a second delivery running at the same time waits here until
    /// the first commits (then skips) or rolls back (then consumes). One round trip per message.
    /// </summary>
    private async Task<(bool Consumed, int ReceiveCount)> ClaimInboxAsync(Guid messageId, OutboxConsumeOptions options, CancellationToken cancellationToken)
    {
        await using var command = transaction.CreateCommand(
            "INSERT INTO bus.inbox_state (message_id, consumer_id, consumer_type, consumed_at) VALUES (@m, @c, @t, now()) " +
            "ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = bus.inbox_state.receive_count + 1 " +
            "RETURNING receive_count");
        command.Parameters.AddWithValue("m", messageId);
        command.Parameters.AddWithValue("c", options.ConsumerId);
        command.Parameters.AddWithValue("t", options.ConsumerType ?? "");
        var receiveCount = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return (receiveCount > 1, receiveCount);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("postgresOutbox");
}

/// <summary>The consume context as it was before the outbox wrapped it: its sends and publishes go to the broker.</summary>
internal sealed record TransportConsumeContext(ConsumeContext Context);
