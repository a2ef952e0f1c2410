using Bus.Notifications.Data;
using Bus.Notifications.Messages;
using Bus.Workflows.Steps;
using MassTransit;

namespace Bus.Notifications.Dispatch;

/// <summary>
/// Turns recorded notifications into deliveries: a row per recipient and a <see cref="DeliverNotification"/> for each,
/// sent through the consumer's outbox, so rows and messages commit together (a rollback leaves neither).
/// </summary>
public sealed class NoticeFanOut(NotificationRouting routing)
{
    public async Task<int> FanOutAsync(ConsumeContext context, NotificationStore store, IReadOnlyList<Notice> notices)
    {
        var count = 0;
        ISendEndpoint? endpoint = null;
        foreach (var notice in notices)
        {
            var ids = await store.AddDeliveriesAsync(notice.Id, routing.TargetsFor(notice), context.CancellationToken);
            if (ids.Count == 0) continue;
            endpoint ??= await context.GetSendEndpoint(WorkflowQueues.Address(NotificationEndpoints.Deliver));
            foreach (var id in ids) await endpoint.Send(new DeliverNotification(id), context.CancellationToken);
            count += ids.Count;
        }
        return count;
    }
}
