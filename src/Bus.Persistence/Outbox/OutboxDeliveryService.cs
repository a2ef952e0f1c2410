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
/// receiving inbox makes the effect exactly once.
/// </summary>
internal sealed class OutboxDeliveryService(
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxNotification notification,
    IOptions<PersistenceOptions> options,
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
        await using (var claim = new NpgsqlCommand("""
            SELECT s.outbox_id FROM bus.outbox_state s
            WHERE s.delivered_at IS NULL
              AND EXISTS (SELECT 1 FROM bus.outbox_message m WHERE m.outbox_id = s.outbox_id AND starts_with(m.destination_address, @broker))
            ORDER BY s.created_at LIMIT @n FOR UPDATE OF s SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue("n", batchSize);
            claim.Parameters.AddWithValue("broker", BrokerScope(bus.Address));
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

    /// <summary>
    /// The address prefix of this bus's broker and virtual host (<c>rabbitmq://host:port/vhost/</c>).
    /// Processes attached to other virtual hosts share the database: MassTransit sends to a queue
    /// *name* on its own connection, ignoring the vhost in the destination, so delivering their groups
    /// would hand their messages to this vhost's consumers (seen: a test host's saga applying events
    /// of a benchmark's ingests). Each process delivers only groups addressed to its own vhost. On the
    /// default vhost ("/") the prefix is the broker itself and matches every vhost, as before.
    /// </summary>
    internal static string BrokerScope(Uri busAddress)
    {
        var path = busAddress.GetLeftPart(UriPartial.Path);
        return path[..(path.LastIndexOf('/') + 1)];
    }
}
