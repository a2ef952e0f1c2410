using Bus.Notifications.Data;
using Bus.Notifications.Messages;
using Bus.Persistence.Transactions;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Notifications.Delivery;

/// <summary>
/// One attempt of one delivery. The row is locked (SKIP LOCKED: a duplicate message finds it taken and leaves), a
/// delivery already delivered or failed is not sent again, a pending one whose next attempt is scheduled for later is
/// not attempted early (a replayed or duplicate message: the scheduled one comes at its time), and the outcome is
/// recorded in the message's transaction.
/// A failed attempt does not fault or wait in the consumer: the next attempt is a <see cref="DeliverNotification"/>
/// scheduled in PostgreSQL (committed with the attempt's row), after a doubling delay, until
/// <see cref="NotificationOptions.MaxAttempts"/>; then the delivery is recorded as failed. A <see cref="ResendNotification"/>
/// for a failed delivery sets it pending with no attempts and attempts it at once.
/// </summary>
public sealed class DeliverNotificationConsumer(MessageTransaction tx, IEnumerable<INotificationChannel> channels, IOptions<NotificationOptions> options,
    TimeProvider clock, ILogger<DeliverNotificationConsumer> logger) : IConsumer<DeliverNotification>, IConsumer<ResendNotification>
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public async Task Consume(ConsumeContext<DeliverNotification> context)
    {
        var store = new NotificationStore(tx.Connection, tx.Transaction);
        var delivery = await store.LockAsync(context.Message.DeliveryId, context.CancellationToken);
        if (delivery is null || delivery.Status != Pending) return;
        if (!delivery.Due)
        {
            logger.LogInformation("DeliverNotification {DeliveryId} ignored: its next attempt is scheduled for {Next:u}", delivery.Id, delivery.NextAttemptAt);
            return;
        }
        await AttemptAsync(context, store, delivery);
    }

    public async Task Consume(ConsumeContext<ResendNotification> context)
    {
        var store = new NotificationStore(tx.Connection, tx.Transaction);
        var delivery = await store.LockAsync(context.Message.DeliveryId, context.CancellationToken);
        if (delivery is null || delivery.Status != Failed)
        {
            logger.LogWarning("ResendNotification {DeliveryId} from {RequestedBy} ignored: the delivery is {Status}", context.Message.DeliveryId,
                Bounded(context.Message.RequestedBy), delivery?.Status ?? "unknown (or being attempted)");
            return;
        }
        await store.ResetAsync(delivery.Id, context.CancellationToken);
        logger.LogInformation("Notification {Kind} {NotificationId} to {Channel} {Target}: resent by {RequestedBy} after {Attempts} failed attempts",
            delivery.Notice.Kind, delivery.Notice.Id, delivery.Channel, delivery.Target, Bounded(context.Message.RequestedBy), delivery.Attempts);
        await AttemptAsync(context, store, delivery with { Status = Pending, Attempts = 0, NextAttemptAt = null, Due = true });
    }

    private async Task AttemptAsync(ConsumeContext context, NotificationStore store, DeliveryRow delivery)
    {
        var attempt = delivery.Attempts + 1;
        var channel = channels.FirstOrDefault(c => c.Name == delivery.Channel);
        var result = channel is null
            ? DeliveryAttempt.Failed($"no channel '{delivery.Channel}' in this host")
            : await channel.SendAsync(delivery.Id, attempt, delivery.Target, delivery.Notice, context.CancellationToken);

        if (result.Delivered)
        {
            await store.RecordAttemptAsync(delivery.Id, Delivered, null, null, context.CancellationToken);
            logger.LogInformation("Notification {Kind} {NotificationId} delivered by {Channel} to {Target} (attempt {Attempt})",
                delivery.Notice.Kind, delivery.Notice.Id, delivery.Channel, delivery.Target, attempt);
            return;
        }
        var o = options.Value;
        if (attempt >= o.MaxAttempts)
        {
            await store.RecordAttemptAsync(delivery.Id, Failed, result.Error, null, context.CancellationToken);
            logger.LogError("Notification {Kind} {NotificationId} to {Channel} {Target} failed for good after {Attempt} attempts: {Error}",
                delivery.Notice.Kind, delivery.Notice.Id, delivery.Channel, delivery.Target, attempt, result.Error);
            return;
        }
        var next = clock.GetUtcNow() + RetryDelay(o, attempt);
        await store.RecordAttemptAsync(delivery.Id, Pending, result.Error, next, context.CancellationToken);
        await context.GetPayload<MessageSchedulerContext>().ScheduleSend(WorkflowQueues.Address(NotificationEndpoints.Deliver), next.UtcDateTime,
            new DeliverNotification(delivery.Id), context.CancellationToken);
        logger.LogWarning("Notification {Kind} {NotificationId} to {Channel} {Target}: attempt {Attempt} failed ({Error}); next at {Next:u}",
            delivery.Notice.Kind, delivery.Notice.Id, delivery.Channel, delivery.Target, attempt, result.Error, next);
    }

    private static string Bounded(string? who) => who is null ? "unknown" : who.Length <= 100 ? who : who[..100] + "…";

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based): doubling from RetryDelay, at most RetryMaxDelay.</summary>
    public static TimeSpan RetryDelay(NotificationOptions options, int attempt)
    {
        var wait = options.RetryDelay;
        for (var i = 1; i < attempt && wait < options.RetryMaxDelay; i++) wait *= 2;
        return wait < options.RetryMaxDelay ? wait : options.RetryMaxDelay;
    }
}
