using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>
/// Sends committed outbox rows to the broker. Each group (the messages one consumed message sent) is
/// claimed with <c>FOR UPDATE SKIP LOCKED</c>, so any number of processes can run this at once without
/// sending a group twice or splitting it; inside a group messages go in the order they were sent.
/// A crash between send and commit sends the group again: delivery is at least once, and the
/// receiving inbox makes the effect exactly once. Only groups written by processes of this process's
/// RabbitMQ virtual host are claimed: sent from here, another virtual host's group would go to exchanges
/// of this one, where its destination has no queue bound, and RabbitMQ would drop it.
/// </summary>
internal sealed class OutboxDeliveryService(
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxNotification notification,
    IOptions<PersistenceOptions> options,
    IOptions<RabbitMqOptions> rabbitMq,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The bus starts in a hosted service of its own; sending before it is up would fail.
        var o = options.Value;
        if (!o.DeliverOutbox || !await HostStarted.WaitAsync(lifetime, stoppingToken)) return;
        string? lastError = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DeliverBatchAsync(o.OutboxBatchSize, stoppingToken);
                lastError = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                // Once per distinct failure, not every poll: an unmigrated database would flood the log.
                var message = e.GetBaseException().Message;
                if (message != lastError) logger.LogWarning(e, "Outbox delivery failed; retrying after {Interval}", o.OutboxPollInterval);
                lastError = message;
            }
            if (delivered < o.OutboxBatchSize)
            {
                try { await notification.WaitAsync(o.OutboxPollInterval, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    internal async Task<int> DeliverBatchAsync(int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var groups = new List<Guid>();
        await using (var claim = new NpgsqlCommand(
            $"SELECT outbox_id FROM bus.outbox_state WHERE delivered_at IS NULL AND {OutboxSql.OwnVirtualHost} " +
            "ORDER BY created_at LIMIT @n FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            claim.Parameters.AddWithValue("n", batchSize);
            claim.Parameters.AddWithValue("vhost", rabbitMq.Value.VirtualHost);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) groups.Add(reader.GetGuid(0));
        }
        if (groups.Count == 0) return 0;

        var messages = new Dictionary<Guid, List<StoredMessage>>();
        await using (var load = new NpgsqlCommand(
            $"SELECT outbox_id, sequence_number, {StoredMessage.EnvelopeColumns} FROM bus.outbox_message WHERE outbox_id = ANY(@ids) ORDER BY sequence_number",
            connection, transaction))
        {
            load.Parameters.AddWithValue("ids", groups.ToArray());
            await using var reader = await load.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetGuid(0);
                if (!messages.TryGetValue(id, out var list)) messages[id] = list = [];
                list.Add(StoredMessage.Read(reader, 2, reader.GetInt64(1)));
            }
        }

        // Groups are independent, so they go out concurrently; within a group, one after another.
        var results = await Task.WhenAll(groups.Select(async id =>
        {
            try
            {
                foreach (var m in messages.GetValueOrDefault(id) ?? []) await MessageRelay.SendAsync(bus, m, options.Value.RelaySendTimeout, cancellationToken);
                return (id, ok: true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Outbox group {OutboxId} not delivered; it stays pending", id);
                return (id, ok: false);
            }
        }));

        var done = results.Where(r => r.ok).Select(r => r.id).ToArray();
        await using (var mark = new NpgsqlCommand("UPDATE bus.outbox_state SET delivered_at = now() WHERE outbox_id = ANY(@ids)", connection, transaction))
        {
            mark.Parameters.AddWithValue("ids", done);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return groups.Count;
    }
}
