using Bus.Notifications.Data;
using Bus.Notifications.Messages;
using Bus.Persistence.Transactions;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Notifications.Dispatch;

/// <summary>
/// Finds alerts with no notification yet (every kind, whichever module raised it through the registry) and fans them
/// out, in the message's transaction. A full batch sends the next look at once instead of waiting an interval.
/// </summary>
public sealed class DispatchAlertsConsumer(MessageTransaction tx, NoticeFanOut fanOut, NotificationRouting routing, IOptions<NotificationOptions> options, ILogger<DispatchAlertsConsumer> logger)
    : IConsumer<DispatchAlerts>
{
    public const int BatchSize = 100;

    public async Task Consume(ConsumeContext<DispatchAlerts> context)
    {
        var store = new NotificationStore(tx.Connection, tx.Transaction);
        var notices = await store.ClaimNewAlertsAsync(options.Value.MaxAlertAge, BatchSize, routing.AlertScope, context.CancellationToken);
        if (notices.Count > 0)
        {
            var deliveries = await fanOut.FanOutAsync(context, store, notices);
            logger.LogInformation("{Alerts} alert(s) to notify: {Deliveries} deliveries queued", notices.Count, deliveries);
        }
        if (notices.Count == BatchSize)
            await context.Send(WorkflowQueues.Address(NotificationEndpoints.Dispatch), new DispatchAlerts(DateTimeOffset.UtcNow));
        else
            await store.DeleteOldAsync(options.Value.Retention, context.CancellationToken);
    }
}
