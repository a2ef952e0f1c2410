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
/// No message can stop delivery: a group with a message over OutboxMaxMessageBytes is parked before any
/// of it is sent, a group that fails waits (backing off) without holding a claim slot, and after
/// OutboxMaxAttempts failures it is parked. A parked group stays in the tables for an operator
/// (<c>busctl outbox list|retry|discard</c>); other groups, later groups of the same saga included, flow on.
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
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Parked groups and groups waiting after a failed attempt are not claimed: however many there
        // are, they never take the places of the oldest deliverable groups. Claimed and read in one
        // round trip (with the BEGIN Npgsql sends ahead of it).
        var (groups, messages) = await ClaimAndLoadAsync(connection, transaction, batchSize, o.OutboxMaxMessageBytes, cancellationToken);
        if (groups.Count == 0) return 0;

        // Groups are independent, so they go out concurrently; within a group, one after another.
        var results = await Task.WhenAll(groups.Select(async group =>
        {
            var list = messages.GetValueOrDefault(group.Id) ?? [];
            // Checked for the whole group before its first send: a group is parked whole, nothing of it sent.
            var tooLarge = list.Find(m => m.Bytes > o.OutboxMaxMessageBytes);
            if (tooLarge.Message is not null)
                return new Attempt(group.Id, group.Attempts, null,
                    $"message {tooLarge.Message.MessageId} ({FirstType(tooLarge.Message)}) is {tooLarge.Bytes} bytes, over Bus:Persistence:OutboxMaxMessageBytes ({o.OutboxMaxMessageBytes})");
            try
            {
                foreach (var m in list) await MessageRelay.SendAsync(bus, m.Message, o.RelaySendTimeout, cancellationToken);
                return new Attempt(group.Id, group.Attempts, null, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new Attempt(group.Id, group.Attempts, e, null);
            }
        }));

        var done = results.Where(r => r.Delivered).Select(r => r.Id).ToArray();
        if (done.Length == results.Length)
        {
            // The usual case: the marks and COMMIT in one round trip (as MessageTransaction commits).
            await using var batch = new NpgsqlBatch(connection, transaction);
            var mark = new NpgsqlBatchCommand("UPDATE bus.outbox_state SET delivered_at = now() WHERE outbox_id = ANY(@ids)");
            mark.Parameters.Add(new NpgsqlParameter("ids", done));
            batch.BatchCommands.Add(mark);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return groups.Count;
        }
        await using (var mark = new NpgsqlCommand("UPDATE bus.outbox_state SET delivered_at = now() WHERE outbox_id = ANY(@ids)", connection, transaction))
        {
            mark.Parameters.AddWithValue("ids", done);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        // A failure while the broker is unreachable says nothing about the group: it waits, uncounted.
        var brokerUp = done.Length > 0 || bus is not IBusControl control || control.CheckHealth().Status != BusHealthStatus.Unhealthy;
        foreach (var failed in results.Where(r => !r.Delivered))
            await RecordFailureAsync(connection, transaction, failed, brokerUp, o, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return groups.Count;
    }

    /// <summary>
    /// Claims the oldest deliverable groups (<c>FOR UPDATE SKIP LOCKED</c>, in a CTE) and reads their
    /// messages in the same statement, groups in claim order, messages in send order.
    /// </summary>
    private async Task<(List<(Guid Id, int Attempts)> Groups, Dictionary<Guid, List<(StoredMessage Message, long Bytes)>> Messages)> ClaimAndLoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int batchSize, long maxBytes, CancellationToken cancellationToken)
    {
        // The size is measured by the server and an oversized body is never read into this process.
        const string size = "octet_length(m.body) + coalesce(octet_length(m.headers), 0)";
        var columns = string.Join(", ", StoredMessage.EnvelopeColumns.Split(", ")
            .Select(c => c == "body" ? $"CASE WHEN {size} <= @max THEN m.body ELSE '' END" : "m." + c));
        var groups = new List<(Guid, int)>();
        var messages = new Dictionary<Guid, List<(StoredMessage, long)>>();
        await using var claim = new NpgsqlCommand(
            "WITH claimed AS (SELECT outbox_id, attempts, created_at FROM bus.outbox_state WHERE delivered_at IS NULL AND parked_at IS NULL " +
            $"AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AND {OutboxSql.OwnVirtualHost} " +
            "ORDER BY created_at LIMIT @n FOR UPDATE SKIP LOCKED) " +
            $"SELECT c.outbox_id, c.attempts, m.sequence_number, {size}, {columns} " +
            "FROM claimed c LEFT JOIN bus.outbox_message m ON m.outbox_id = c.outbox_id ORDER BY c.created_at, c.outbox_id, m.sequence_number",
            connection, transaction);
        claim.Parameters.AddWithValue("n", batchSize);
        claim.Parameters.AddWithValue("vhost", rabbitMq.Value.VirtualHost);
        claim.Parameters.AddWithValue("max", maxBytes);
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            if (!messages.TryGetValue(id, out var list))
            {
                groups.Add((id, reader.GetInt32(1)));
                messages[id] = list = [];
            }
            // A group without message rows (LEFT JOIN): delivered as empty, as before.
            if (!reader.IsDBNull(2)) list.Add((StoredMessage.Read(reader, 4, reader.GetInt64(2)), reader.GetInt64(3)));
        }
        return (groups, messages);
    }

    /// <summary>
    /// Counts a failed attempt and sets when the group may be tried again (doubling from OutboxRetryDelay,
    /// at most 5 minutes), or parks it: at once when it is too large, after OutboxMaxAttempts counted failures otherwise.
    /// </summary>
    private async Task RecordFailureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Attempt failed, bool counted,
        PersistenceOptions o, CancellationToken cancellationToken)
    {
        var attempts = failed.PreviousAttempts + (counted || failed.TooLarge is not null ? 1 : 0);
        var error = Bounded(failed.TooLarge ?? $"{failed.Error!.GetType().Name}: {failed.Error.GetBaseException().Message}");
        string? parkedReason = failed.TooLarge is not null ? error
            : attempts >= o.OutboxMaxAttempts ? Bounded($"delivery failed {attempts} times; last: {error}") : null;
        var wait = TimeSpan.FromTicks(Math.Min(o.OutboxRetryDelay.Ticks * (1L << Math.Min(Math.Max(attempts - 1, 0), 16)), MaxRetryWait.Ticks));

        await using var update = new NpgsqlCommand(
            "UPDATE bus.outbox_state SET attempts = @attempts, last_error = @error, next_attempt_at = now() + @wait, " +
            "parked_at = CASE WHEN @reason::text IS NULL THEN NULL ELSE now() END, parked_reason = @reason WHERE outbox_id = @id", connection, transaction);
        update.Parameters.AddWithValue("attempts", attempts);
        update.Parameters.AddWithValue("error", error);
        update.Parameters.AddWithValue("wait", wait);
        update.Parameters.AddWithValue("reason", NpgsqlTypes.NpgsqlDbType.Text, (object?)parkedReason ?? DBNull.Value);
        update.Parameters.AddWithValue("id", failed.Id);
        await update.ExecuteNonQueryAsync(cancellationToken);

        if (parkedReason is not null)
            logger.LogError(failed.Error, "Outbox group {OutboxId} parked, kept and no longer sent: {Reason}. See busctl outbox list", failed.Id, parkedReason);
        else
            logger.LogWarning(failed.Error, "Outbox group {OutboxId} not delivered (attempt {Attempts} of {MaxAttempts}{Uncounted}); next try in {Wait}",
                failed.Id, attempts, o.OutboxMaxAttempts, counted ? "" : ", not counted: broker unreachable", wait);
    }

    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromMinutes(5);

    /// <summary>An exception message can be any length; the row keeps its start.</summary>
    private static string Bounded(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    private static string FirstType(StoredMessage m) => m.MessageType.Split(';')[0];

    private sealed record Attempt(Guid Id, int PreviousAttempts, Exception? Error, string? TooLarge)
    {
        public bool Delivered => Error is null && TooLarge is null;
    }
}
