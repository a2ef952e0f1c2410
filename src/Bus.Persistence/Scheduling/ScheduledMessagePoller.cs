using Bus.Persistence.Outbox;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Persistence.Scheduling;

/// <summary>
/// Sends scheduled messages that are due (role "scheduler"). Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> and deleted in the same transaction after the broker confirmed them,
/// so several schedulers never send one twice in normal operation, a restart loses nothing, and a
/// crash between send and commit sends it again (the receiver's inbox absorbs that). Only rows written
/// by processes of this process's RabbitMQ virtual host are claimed (as in outbox delivery).
/// </summary>
internal sealed class ScheduledMessagePoller(
    NpgsqlDataSource dataSource,
    IBus bus,
    IOptions<PersistenceOptions> options,
    IOptions<RabbitMqOptions> rabbitMq,
    IHostApplicationLifetime lifetime,
    ILogger<ScheduledMessagePoller> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStarted.WaitAsync(lifetime, stoppingToken)) return;
        var interval = options.Value.SchedulerPollInterval;
        string? lastError = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await SendDueAsync(stoppingToken);
                lastError = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                // Once per distinct failure, not every poll: an unmigrated database would flood the log.
                var message = e.GetBaseException().Message;
                if (message != lastError) logger.LogWarning(e, "Sending due scheduled messages failed; retrying after {Interval}", interval);
                lastError = message;
            }
            if (sent < BatchSize)
            {
                try { await Task.Delay(interval, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<StoredMessage>();
        await using (var claim = new NpgsqlCommand(
            $"SELECT token_id, {StoredMessage.EnvelopeColumns} FROM bus.scheduled_message WHERE due_at <= now() AND {OutboxSql.OwnVirtualHost} " +
            "ORDER BY due_at LIMIT @n FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            claim.Parameters.AddWithValue("n", BatchSize);
            claim.Parameters.AddWithValue("vhost", rabbitMq.Value.VirtualHost);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) due.Add(StoredMessage.Read(reader, 1, tokenId: reader.GetGuid(0)));
        }
        if (due.Count == 0) return 0;

        var results = await Task.WhenAll(due.Select(async m =>
        {
            try
            {
                await MessageRelay.SendAsync(bus, m, options.Value.RelaySendTimeout, cancellationToken);
                return (m.TokenId, ok: true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Scheduled message {TokenId} not sent; tried again in {Delay}", m.TokenId, options.Value.SchedulerRetryDelay);
                return (m.TokenId, ok: false);
            }
        }));
        await using (var delete = new NpgsqlCommand("DELETE FROM bus.scheduled_message WHERE token_id = ANY(@ids)", connection, transaction))
        {
            delete.Parameters.AddWithValue("ids", results.Where(r => r.ok).Select(r => r.TokenId!.Value).ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        // A message that failed waits before its next try, so it never sits at the head of every batch.
        await using (var postpone = new NpgsqlCommand("UPDATE bus.scheduled_message SET due_at = now() + @delay WHERE token_id = ANY(@ids)", connection, transaction))
        {
            postpone.Parameters.AddWithValue("delay", options.Value.SchedulerRetryDelay);
            postpone.Parameters.AddWithValue("ids", results.Where(r => !r.ok).Select(r => r.TokenId!.Value).ToArray());
            await postpone.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }
}
