using Bus.Workflows.Coordination;
using Bus.Platform.Options;
using Bus.Registry.Model;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Workflows.Watchdog;

/// <summary>
/// Finds sagas that wait on a step with no sign of life for longer than the state's limit (<see cref="StuckLimit"/>,
/// <see cref="WatchdogOptions"/>) and sends the state's step command again (<see cref="SagaWatch{TSaga}"/>), at most
/// <see cref="WatchdogOptions.MaxResends"/> times per state, each a full limit after the last; then raises one
/// stuck-saga alert in the registry and leaves the saga to a person. One host per RabbitMQ virtual host does this:
/// the one holding a PostgreSQL session advisory lock named after the virtual host (another takes over when its
/// connection ends), as the telemetry gauges do. The re-sent command carries a new MessageId (a continuation chain
/// must not be taken for a duplicate of its first message) and the header <see cref="ResendHeader"/>. Steps skip work
/// already done, a step's heartbeat row lock keeps a re-send from running beside a late original, and a saga ignores
/// a step's report that arrives after it moved on, so a late original and its re-send both arriving is harmless.
/// </summary>
public sealed class SagaWatchdog(
    NpgsqlDataSource dataSource,
    IBus bus,
    IEnumerable<ISagaWatch> watches,
    RegistryDatabase registry,
    IOptions<WatchdogOptions> options,
    IOptions<RabbitMqOptions> rabbitMq,
    ILogger<SagaWatchdog> logger) : BackgroundService
{
    /// <summary>On a re-sent step command: which re-send it is (1, 2, ...).</summary>
    public const string ResendHeader = "Bus-Watchdog-Resend";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var all = watches.GroupBy(w => w.SagaType).Select(g => g.First()).ToList();
        if (!o.Enabled || all.Count == 0) return;
        var vhost = rabbitMq.Value.VirtualHost;
        var key = LockKey(vhost);
        NpgsqlConnection? leader = null;
        string? lastError = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.PollSeconds));
        try
        {
            do
            {
                try
                {
                    leader ??= await LeaderLock.TryTakeAsync(dataSource, key, stoppingToken);
                    if (leader is null) continue;
                    foreach (var watch in all) await WatchAsync(leader, watch, vhost, o, stoppingToken);
                    await WatchLedger.ForgetOldHeartbeatsAsync(leader, stoppingToken);
                    lastError = null;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
                catch (Exception e)
                {
                    // A lost connection loses the lock with it: lead again from scratch (maybe another host will).
                    if (e is NpgsqlException && leader is not null) { await leader.DisposeAsync(); leader = null; }
                    var message = e.GetBaseException().Message;
                    if (message != lastError) logger.LogWarning(e, "The saga watchdog's round failed; trying again in {Seconds} s", o.PollSeconds);
                    lastError = message;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (leader is not null) await leader.DisposeAsync();
        }
    }

    private async Task WatchAsync(NpgsqlConnection connection, ISagaWatch watch, string vhost, WatchdogOptions o, CancellationToken ct)
    {
        await WatchLedger.ForgetAsync(connection, watch, ct);
        var limits = watch.Watched.ToDictionary(w => w.Key, w => o.LimitFor(watch.SagaType, w.Key, w.Value));
        foreach (var stalled in await WatchLedger.FindStalledAsync(connection, watch, limits, vhost, o.BatchSize, ct))
        {
            var stuck = await watch.ReadAsync(connection, stalled.CorrelationId, stalled.State, ct);
            if (stuck is null) continue; // moved on since the scan
            if (stalled.Resends < o.MaxResends)
            {
                if (!await WatchLedger.CountResendAsync(connection, watch.SagaType, stalled, ct)) continue;
                var attempt = stalled.Resends + 1;
                var endpoint = await bus.GetSendEndpoint(stuck.Command.Address);
                await endpoint.Send(stuck.Command.Message, stuck.Command.Message.GetType(),
                    Pipe.Execute<SendContext>(s => s.Headers.Set(ResendHeader, attempt)), ct);
                logger.LogWarning("Saga watchdog: {SagaType} {CorrelationId} showed no sign of life in {State} for over {Limit}; sent its step command {MessageType} again ({Attempt} of {Max})",
                    watch.SagaType, stalled.CorrelationId, stalled.State, limits[stalled.State], stuck.Command.Message.GetType().Name, attempt, o.MaxResends);
                continue;
            }
            var alertId = stalled.AlertId ?? await WatchLedger.AlertIdAsync(connection, watch.SagaType, stalled, ct);
            var message = $"{watch.SagaType} {stalled.CorrelationId} is stuck in {stalled.State}: no sign of life for over {limits[stalled.State]}"
                + (o.MaxResends > 0 ? $" after its step command was sent again {o.MaxResends} times" : "")
                + "; see busctl sagas show and docs/operations.md (stuck sagas)";
            await registry.RunAsync(store => store.AddAlertAsync(new AlertRecord(alertId, AlertKinds.StuckSaga, null, null, stuck.Identifier, message), ct), ct);
            await WatchLedger.MarkAlertedAsync(connection, watch.SagaType, stalled.CorrelationId, ct);
            logger.LogError("Saga watchdog: {SagaType} {CorrelationId} is stuck in {State}; stuck-saga alert {AlertId} raised",
                watch.SagaType, stalled.CorrelationId, stalled.State, alertId);
        }
    }

    /// <summary>The lock key: the same for every host of one virtual host, different for another.</summary>
    internal static long LockKey(string virtualHost) =>
        LeaderLock.Key("bus.saga.watchdog:" + virtualHost);
}
