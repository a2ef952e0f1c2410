using Bus.Persistence.Sagas;
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
/// For a saga on the PostgreSQL repository the claim waits for the saga's row lock, and the repository
/// skips the saga if the claim finds a duplicate: the two statements share one round trip.
/// </summary>
internal sealed class PostgresOutboxContextFactory(
    MessageTransaction transaction,
    OutboxNotification notification,
    PostgresSagaTypes postgresSagas,
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
            var claim = new InboxClaim(messageId, options.ConsumerId, options.ConsumerType ?? "");
            if (postgresSagas.Contains(options.ConsumerType))
                transaction.DeferClaim(claim);
            else
            {
                await claim.ExecuteAsync(transaction, context.CancellationToken);
                if (claim.Duplicate)
                {
                    await transaction.CommitAsync(context.CancellationToken);
                    // Consumed, for MassTransit too: a message no consumer reports consumed is moved to
                    // <queue>_skipped, where an operator would have to judge a duplicate that needs nothing.
                    await context.NotifyConsumed(TimeSpan.Zero, options.ConsumerType ?? TypeCache<T>.ShortName);
                    LogDuplicate(claim, options);
                    return;
                }
            }

            // Behind the outbox and the consumer's own context proxy, this is how OutsideOutbox finds the transport.
            context.AddOrUpdatePayload(() => new TransportConsumeContext(context), _ => new TransportConsumeContext(context));
            outboxContext = new PostgresOutboxConsumeContext<T>(context, options, provider, transaction, claim, rabbitMq.Value.VirtualHost);
            await next.Send(outboxContext);
            // Not the message's token: a consumer that finished because the host is stopping (a long step
            // that checkpointed and sent itself a continuation) must still commit what it did.
            await transaction.CommitAsync(CancellationToken.None);
            outboxContext.Close();
            if (claim.Duplicate) LogDuplicate(claim, options);
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

    private void LogDuplicate(InboxClaim claim, OutboxConsumeOptions options) =>
        logger.LogInformation("Duplicate message {MessageId} for {Consumer} acknowledged and skipped: already consumed ({ReceiveCount} deliveries)",
            claim.MessageId, options.ConsumerType, claim.ReceiveCount);

    public void Probe(ProbeContext context) => context.CreateFilterScope("postgresOutbox");
}

/// <summary>The consume context as it was before the outbox wrapped it: its sends and publishes go to the broker.</summary>
internal sealed record TransportConsumeContext(ConsumeContext Context);
