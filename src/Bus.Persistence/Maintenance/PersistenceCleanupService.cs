using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Persistence.Maintenance;

/// <summary>
/// Deletes inbox rows older than the duplicate-detection window and delivered (or operator-discarded) outbox groups older
/// than their retention (role "scheduler"). Safe to run in several processes: plain deletes by age.
/// </summary>
internal sealed class PersistenceCleanupService(
    NpgsqlDataSource dataSource,
    IOptions<PersistenceOptions> options,
    ILogger<PersistenceCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (inbox, outbox) = await CleanupAsync(stoppingToken);
                if (inbox + outbox > 0) logger.LogInformation("Cleanup removed {Inbox} inbox rows and {Outbox} delivered outbox groups", inbox, outbox);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                logger.LogWarning(e, "Persistence cleanup failed; trying again next interval");
            }
            try { await Task.Delay(options.Value.CleanupInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    internal async Task<(int Inbox, int Outbox)> CleanupAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var inbox = new NpgsqlCommand("DELETE FROM bus.inbox_state WHERE received_at < now() - @age", connection);
        inbox.Parameters.AddWithValue("age", o.InboxRetention);
        var inboxCount = await inbox.ExecuteNonQueryAsync(cancellationToken);
        await using var outbox = new NpgsqlCommand(
            "DELETE FROM bus.outbox_state WHERE (delivered_at IS NOT NULL AND delivered_at < now() - @age) " +
            "OR (discarded_at IS NOT NULL AND discarded_at < now() - @age)", connection);
        outbox.Parameters.AddWithValue("age", o.DeliveredOutboxRetention);
        var outboxCount = await outbox.ExecuteNonQueryAsync(cancellationToken);
        return (inboxCount, outboxCount);
    }
}
