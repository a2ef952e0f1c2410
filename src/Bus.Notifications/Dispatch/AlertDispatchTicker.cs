using Bus.Notifications.Messages;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Notifications.Dispatch;

/// <summary>
/// Every poll interval, sends a <see cref="DispatchAlerts"/> to the dispatch queue, where one consumer at a time looks
/// for alerts to notify inside a database transaction (so the deliveries it queues go through the outbox). The message
/// lives one interval: while no notify host consumes, looks do not pile up in the queue.
/// </summary>
public sealed class AlertDispatchTicker(IBus bus, NotificationRouting routing, IOptions<NotificationOptions> options, IHostApplicationLifetime lifetime,
    ILogger<AlertDispatchTicker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!routing.HasRecipients)
        {
            logger.LogInformation("Notifications: no recipients configured ({Section}:Recipients); alerts are not sent", NotificationOptions.Section);
            return;
        }
        if (!await StartedAsync(stoppingToken)) return;
        var interval = options.Value.PollInterval;
        using var timer = new PeriodicTimer(interval);
        string? lastError = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var endpoint = await bus.GetSendEndpoint(WorkflowQueues.Address(NotificationEndpoints.Dispatch));
                await endpoint.Send(new DispatchAlerts(DateTimeOffset.UtcNow), c => c.TimeToLive = interval, stoppingToken);
                lastError = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (e.Message != lastError) logger.LogWarning(e, "Notifications: could not ask for an alert look; trying again in {Interval}", interval);
                lastError = e.Message;
            }
            try { await timer.WaitForNextTickAsync(stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested) return true;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var b = stoppingToken.Register(() => started.TrySetResult());
        await started.Task;
        return !stoppingToken.IsCancellationRequested;
    }
}
