using Bus.Workflows.Coordination;
using System.Diagnostics.Metrics;
using Bus.Platform.Options;
using Bus.Platform.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;

namespace Bus.Host.Telemetry;

/// <summary>
/// The gauges no single message can tell: sagas per type and state, outbox backlog and its oldest group,
/// scheduled messages and how late the oldest due one is, and depth and consumers of every Bus queue.
/// One host per RabbitMQ virtual host measures them: the one holding a PostgreSQL session advisory lock
/// named after the virtual host (whoever takes it first; another host takes over when its connection
/// ends). It measures every GaugeRefreshSeconds with one round trip of three queries and one management
/// API call, and scrapes read the last measurement, so Prometheus (or several) may scrape as often as it
/// likes. The other hosts export none of these series, so sums over hosts stay right.
/// </summary>
internal sealed class TelemetryGauges(
    NpgsqlDataSource dataSource,
    BrokerQueues queues,
    IOptions<TelemetryOptions> options,
    IOptions<RabbitMqOptions> rabbitMq,
    ILogger<TelemetryGauges> logger) : BackgroundService
{
    /// <summary>The last measurement of this process, or null while it is not the measuring host.</summary>
    private static volatile GaugeSnapshot? _current;

    internal static GaugeSnapshot? Current => _current;

    static TelemetryGauges()
    {
        var m = BusMetrics.Meter;
        m.CreateObservableGauge(BusMetrics.Sagas, () => Observe(s => s.Sagas.Select(x => new Measurement<long>(x.Count,
            new(BusMetrics.SagaTypeLabel, x.Type), new(BusMetrics.SagaStateLabel, x.State)))), "{saga}", "Saga instances by type and state (one host measures)");
        m.CreateObservableGauge(BusMetrics.OutboxBacklog, () => Observe<long>(s => [new Measurement<long>(s.OutboxBacklog)]), "{group}",
            "Outbox groups committed and not yet delivered (parked ones excluded)");
        m.CreateObservableGauge(BusMetrics.OutboxOldestAge, () => Observe<double>(s => [new Measurement<double>(s.OutboxOldestAgeSeconds)]), "s",
            "Age of the oldest undelivered outbox group (0 when none)");
        m.CreateObservableGauge(BusMetrics.OutboxParked, () => Observe<long>(s => [new Measurement<long>(s.OutboxParked)]), "{group}",
            "Outbox groups parked for an operator (busctl outbox list)");
        m.CreateObservableGauge(BusMetrics.ScheduledMessages, () => Observe<long>(s => [new Measurement<long>(s.Scheduled)]), "{message}",
            "Scheduled messages waiting (timeouts, redeliveries, retries)");
        m.CreateObservableGauge(BusMetrics.SchedulerLag, () => Observe<double>(s => [new Measurement<double>(s.SchedulerLagSeconds)]), "s",
            "How long the oldest due scheduled message has been due (0 when none is due)");
        m.CreateObservableGauge(BusMetrics.QueueMessages, () => Observe(s => s.Queues.Select(q => new Measurement<long>(q.Messages,
            new KeyValuePair<string, object?>(BusMetrics.QueueLabel, q.Name)))), "{message}", "Messages in a Bus queue, ready and unacknowledged (RabbitMQ management API)");
        m.CreateObservableGauge(BusMetrics.QueueConsumers, () => Observe(s => s.Queues.Select(q => new Measurement<long>(q.Consumers,
            new KeyValuePair<string, object?>(BusMetrics.QueueLabel, q.Name)))), "{consumer}", "Consumers of a Bus queue");
    }

    private static IEnumerable<Measurement<T>> Observe<T>(Func<GaugeSnapshot, IEnumerable<Measurement<T>>> read) where T : struct =>
        _current is { } s ? read(s) : [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Metrics || !o.Gauges) return;
        var vhost = rabbitMq.Value.VirtualHost;
        var key = LockKey(vhost);
        NpgsqlConnection? leader = null;
        string? lastError = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.GaugeRefreshSeconds));
        try
        {
            do
            {
                // Polling is not work worth a trace: no spans for these queries and calls.
                using var quiet = SuppressInstrumentationScope.Begin();
                try
                {
                    leader ??= await LeaderLock.TryTakeAsync(dataSource, key, stoppingToken);
                    if (leader is null) { _current = null; continue; }
                    var snapshot = await ReadDatabaseAsync(leader, vhost, stoppingToken);
                    _current = snapshot with { Queues = await queues.ReadAsync(stoppingToken) };
                    lastError = null;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
                catch (Exception e)
                {
                    // A lost connection loses the lock with it: measure again from scratch (maybe another host will).
                    if (e is NpgsqlException && leader is not null) { await leader.DisposeAsync(); leader = null; }
                    _current = null;
                    var message = e.GetBaseException().Message;
                    if (message != lastError) logger.LogWarning(e, "Measuring the telemetry gauges failed; trying again in {Seconds} s", o.GaugeRefreshSeconds);
                    lastError = message;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            _current = null;
            if (leader is not null) await LeaderLock.ReleaseAsync(leader, key);
        }
    }

    /// <summary>The lock key: the same for every host of one virtual host, different for another.</summary>
    internal static long LockKey(string virtualHost) =>
        LeaderLock.Key("bus.telemetry.gauges:" + virtualHost);

    internal static async Task<GaugeSnapshot> ReadDatabaseAsync(NpgsqlConnection connection, string virtualHost, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("SELECT saga_type, current_state, count(*) FROM bus.saga_status GROUP BY 1, 2"),
                new("""
                    SELECT count(*) FILTER (WHERE parked_at IS NULL),
                           coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float8,
                           count(*) FILTER (WHERE parked_at IS NOT NULL)
                    FROM bus.outbox_state WHERE delivered_at IS NULL AND (virtual_host = $1 OR virtual_host IS NULL)
                    """) { Parameters = { new() { Value = virtualHost } } },
                new("""
                    SELECT count(*), coalesce(extract(epoch FROM now() - min(due_at) FILTER (WHERE due_at <= now())), 0)::float8
                    FROM bus.scheduled_message WHERE (virtual_host = $1 OR virtual_host IS NULL)
                    """) { Parameters = { new() { Value = virtualHost } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var sagas = new Dictionary<(string, string), long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var label = (BusMetrics.BoundedName(reader.GetString(0)), BusMetrics.BoundedName(reader.GetString(1)));
            sagas[label] = sagas.GetValueOrDefault(label) + reader.GetInt64(2);
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (backlog, oldest, parked) = (reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2));
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (scheduled, lag) = (reader.GetInt64(0), reader.GetDouble(1));
        return new GaugeSnapshot(
            sagas.Select(s => new SagaCount(s.Key.Item1, s.Key.Item2, s.Value)).ToList(),
            backlog, Math.Max(0, oldest), parked, scheduled, Math.Max(0, lag), []);
    }
}

internal sealed record SagaCount(string Type, string State, long Count);

internal sealed record GaugeSnapshot(
    IReadOnlyList<SagaCount> Sagas, long OutboxBacklog, double OutboxOldestAgeSeconds, long OutboxParked,
    long Scheduled, double SchedulerLagSeconds, IReadOnlyList<QueueCount> Queues);
