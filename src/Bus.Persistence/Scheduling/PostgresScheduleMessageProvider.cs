using Bus.Persistence.Outbox;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Npgsql;

namespace Bus.Persistence.Scheduling;

/// <summary>
/// MassTransit's scheduler API (state machine Schedule/Unschedule, request timeouts,
/// UseScheduledRedelivery, ScheduleSend) on <c>bus.scheduled_message</c>. Inside an open outbox the
/// row is written in the consumer's transaction, so a saga's state change and its timeout commit
/// together; elsewhere (redelivery after a rollback, code outside consumers) it is written at once.
/// The message is serialized at schedule time by MassTransit's own send pipe.
/// </summary>
internal sealed class PostgresScheduleMessageProvider(ConsumeContext? consumeContext, ISendEndpointProvider transport, NpgsqlDataSource dataSource,
    string virtualHost)
    : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class
    {
        var tokenId = ScheduleTokenIdCache<T>.GetTokenId(message, NewId.NextGuid());
        var schedulePipe = new ScheduleSendPipe<T>(pipe, scheduledTime) { ScheduledMessageId = tokenId };

        ISendEndpoint endpoint = consumeContext is IPostgresOutbox { IsOpen: true }
            ? await consumeContext.GetSendEndpoint(destinationAddress)
            : new OutboxSendEndpoint(new DirectScheduleWriter(dataSource, virtualHost), await transport.GetSendEndpoint(destinationAddress));
        await endpoint.Send(message, schedulePipe, cancellationToken);

        return new ScheduledMessageHandle<T>(tokenId, scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        if (consumeContext is IPostgresOutbox { IsOpen: true } outbox)
        {
            await outbox.CancelScheduledAsync(tokenId, cancellationToken);
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await OutboxSql.CancelScheduledAsync(connection, null, tokenId, cancellationToken);
    }

    /// <summary>Where to get a transport endpoint for the direct path: never an outbox's (it may be closed).</summary>
    public static ISendEndpointProvider TransportOf(ConsumeContext context) =>
        context is OutboxConsumeContext outbox ? TransportOf(outbox.CapturedContext) : context.ReceiveContext.SendEndpointProvider;

    /// <summary>Captures one scheduled send and stores it in its own short transaction.</summary>
    private sealed class DirectScheduleWriter(NpgsqlDataSource dataSource, string virtualHost) : OutboxSendContext
    {
        public object? GetService(Type serviceType) => null;

        public async Task AddSend<T>(SendContext<T> context) where T : class
        {
            var message = StoredMessage.From(context);
            // A time already past carries no delay: it is still a scheduled row, due now.
            message = message with { DueAt = message.DueAt ?? DateTime.UtcNow };
            await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
            await using var batch = new NpgsqlBatch(connection);
            OutboxSql.AddWrites(batch.BatchCommands, [message], null, null, virtualHost);
            await batch.ExecuteNonQueryAsync(context.CancellationToken);
        }
    }
}
