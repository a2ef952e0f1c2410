using Npgsql;
using NpgsqlTypes;

namespace Bus.Notifications.Data;

/// <summary>Whose alerts a host sends: every institution's (a <c>*</c> recipient), or those named (lower case).</summary>
public sealed record AlertScope(bool Everyone, IReadOnlyList<string> Institutions);

/// <summary>
/// A delivery as its consumer sees it, with the notification it carries. <see cref="Due"/>: no next attempt is scheduled
/// later than now (the database's clock, the one the scheduler sends by).
/// </summary>
public sealed record DeliveryRow(Guid Id, string Channel, string Target, string Status, int Attempts, DateTimeOffset? NextAttemptAt, bool Due, Notice Notice);

/// <summary>
/// The notification tables, on the caller's connection and transaction (a consumer's message transaction), so
/// what is recorded commits with the messages sent about it. Every write is idempotent.
/// </summary>
public sealed class NotificationStore(NpgsqlConnection connection, NpgsqlTransaction? transaction)
{
    private const string NoticeColumns = "n.id, n.kind, n.source, n.institution, n.identifier, n.message, n.occurred_at";

    private NpgsqlCommand Command(string sql) => new(sql, connection, transaction);

    /// <summary>
    /// Records, as notifications, up to <paramref name="limit"/> alerts of the last <paramref name="maxAge"/> that have none
    /// yet and that someone is configured to receive (<paramref name="scope"/>), and returns them: an alert of an
    /// institution nobody listens for stays unclaimed, for a host configured to tell it. The insert is the claim: of two hosts looking at once, the second's conflicting rows wait
    /// for the first to commit and are then skipped, so each alert is fanned out once.
    /// </summary>
    public async Task<IReadOnlyList<Notice>> ClaimNewAlertsAsync(TimeSpan maxAge, int limit, AlertScope scope, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            WITH candidates AS (
                SELECT a.id, a.kind, a.identifier, a.message, a.created_at,
                       coalesce(o.institution, (SELECT i.identifier FROM registry.institutions i WHERE i.identifier = split_part(a.identifier, '/', 1))) AS institution
                  FROM registry.alerts a
                  LEFT JOIN registry.intellectual_objects o ON o.id = a.object_id
                 WHERE a.created_at > now() - @age
                   AND NOT EXISTS (SELECT 1 FROM bus.notifications x WHERE x.id = a.id)),
            fresh AS (
                SELECT * FROM candidates
                 WHERE @everyone OR lower(institution) = ANY(@institutions)
                 ORDER BY created_at, id
                 LIMIT @limit)
            INSERT INTO bus.notifications AS n (id, kind, source, institution, identifier, message, occurred_at)
            SELECT id, kind, '{NotificationSources.Alert}', institution, identifier, left(message, {Notice.MaxMessageLength}), created_at FROM fresh
            ON CONFLICT (id) DO NOTHING
            RETURNING {NoticeColumns}
            """);
        command.Parameters.AddWithValue("age", maxAge);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("everyone", scope.Everyone);
        command.Parameters.AddWithValue("institutions", scope.Institutions.ToArray());
        return await ReadNoticesAsync(command, cancellationToken);
    }

    /// <summary>Records a notification; false when it was already recorded (a redelivered event).</summary>
    public async Task<bool> AddAsync(Notice notice, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            INSERT INTO bus.notifications (id, kind, source, institution, identifier, message, occurred_at)
            VALUES (@id, @kind, @source, @institution, @identifier, @message, @at) ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.AddWithValue("id", notice.Id);
        command.Parameters.AddWithValue("kind", notice.Kind);
        command.Parameters.AddWithValue("source", notice.Source);
        command.Parameters.AddWithValue("institution", NpgsqlDbType.Text, (object?)notice.Institution ?? DBNull.Value);
        command.Parameters.AddWithValue("identifier", NpgsqlDbType.Text, (object?)notice.Identifier ?? DBNull.Value);
        command.Parameters.AddWithValue("message", notice.Message);
        command.Parameters.AddWithValue("at", notice.OccurredAt.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>One pending delivery per target, with its id made from (notification, channel, target). Returns the ids.</summary>
    public async Task<IReadOnlyList<Guid>> AddDeliveriesAsync(Guid noticeId, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        if (targets.Count == 0) return [];
        var ids = targets.Select(t => NoticeIds.Delivery(noticeId, t.Channel, t.Target)).ToArray();
        await using var command = Command("""
            INSERT INTO bus.notification_deliveries (id, notification_id, channel, target)
            SELECT id, @notice, channel, target FROM unnest(@ids, @channels, @targets) AS t(id, channel, target)
            ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.AddWithValue("notice", noticeId);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("channels", targets.Select(t => t.Channel).ToArray());
        command.Parameters.AddWithValue("targets", targets.Select(t => t.Target).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ids;
    }

    /// <summary>
    /// The delivery, locked for this attempt; null when unknown or being attempted by another consumer right now
    /// (a duplicate message: that consumer records the outcome).
    /// </summary>
    public async Task<DeliveryRow?> LockAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            SELECT d.id, d.channel, d.target, d.status, d.attempts, d.next_attempt_at,
                   d.next_attempt_at IS NULL OR d.next_attempt_at <= now(), {NoticeColumns}
              FROM bus.notification_deliveries d JOIN bus.notifications n ON n.id = d.notification_id
             WHERE d.id = @id
               FOR UPDATE OF d SKIP LOCKED
            """);
        command.Parameters.AddWithValue("id", deliveryId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new DeliveryRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6), ReadNotice(reader, 7));
    }

    /// <summary>Records an attempt: delivered, failed for good, or to be tried again at <paramref name="nextAttemptAt"/>.</summary>
    public async Task RecordAttemptAsync(Guid deliveryId, string status, string? error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            UPDATE bus.notification_deliveries
               SET attempts = attempts + 1, status = @status, last_error = @error, next_attempt_at = @next,
                   delivered_at = CASE WHEN @status = 'delivered' THEN now() END, updated_at = now()
             WHERE id = @id
            """);
        command.Parameters.AddWithValue("id", deliveryId);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)error ?? DBNull.Value);
        command.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, (object?)nextAttemptAt?.ToUniversalTime() ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A failed delivery set pending again with no attempts (a resend); the caller holds the row's lock.</summary>
    public async Task ResetAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            UPDATE bus.notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()
             WHERE id = @id AND status = 'failed'
            """);
        command.Parameters.AddWithValue("id", deliveryId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes up to 1,000 notifications older than <paramref name="retention"/> with no delivery still pending.</summary>
    public async Task<int> DeleteOldAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            DELETE FROM bus.notifications WHERE id IN (
                SELECT n.id FROM bus.notifications n
                 WHERE n.created_at < now() - @keep
                   AND NOT EXISTS (SELECT 1 FROM bus.notification_deliveries d WHERE d.notification_id = n.id AND d.status = 'pending')
                 LIMIT 1000)
            """);
        command.Parameters.AddWithValue("keep", retention);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<Notice>> ReadNoticesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var notices = new List<Notice>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) notices.Add(ReadNotice(reader, 0));
        return notices;
    }

    private static Notice ReadNotice(NpgsqlDataReader r, int at) => new(
        r.GetGuid(at), r.GetString(at + 1), r.GetString(at + 2), r.IsDBNull(at + 3) ? null : r.GetString(at + 3),
        r.IsDBNull(at + 4) ? null : r.GetString(at + 4), r.GetString(at + 5), r.GetFieldValue<DateTimeOffset>(at + 6));
}
