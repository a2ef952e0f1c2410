using Bus.Operations.Audit;
using Npgsql;

namespace Bus.Operations.Outbox;

/// <summary>One message of a parked outbox group (bus.outbox_state.parked_at set): what it is, where it was going, why it stopped.</summary>
public sealed record ParkedOutboxMessage(
    Guid OutboxId, long SequenceNumber, Guid MessageId, string MessageType, string DestinationAddress, Guid? CorrelationId, long Bytes,
    int Attempts, string? Reason, DateTimeOffset ParkedAt, DateTimeOffset CreatedAt, string? VirtualHost);

/// <summary>What retry or discard did to one outbox group.</summary>
public sealed record ParkedOutboxAction(Guid OutboxId, string Outcome);

/// <summary>
/// Outbox groups that delivery parked (a message over Bus:Persistence:OutboxMaxMessageBytes, or too many
/// failed attempts): listed for busctl outbox, errors list and sagas show; retried (delivery takes the
/// group again, from its first message) or discarded (never sent; deleted by cleanup after the delivered
/// retention). Both are recorded in bus.error_audit with queue "outbox".
/// </summary>
public sealed class ParkedOutbox(NpgsqlDataSource dataSource)
{
    private const string Select =
        "SELECT s.outbox_id, m.sequence_number, m.message_id, m.message_type, m.destination_address, m.correlation_id, " +
        "octet_length(m.body) + coalesce(octet_length(m.headers), 0), s.attempts, s.parked_reason, s.parked_at, s.created_at, s.virtual_host " +
        "FROM bus.outbox_state s JOIN bus.outbox_message m ON m.outbox_id = s.outbox_id " +
        "WHERE s.parked_at IS NOT NULL AND s.discarded_at IS NULL AND s.delivered_at IS NULL";

    /// <summary>Parked messages, oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<ParkedOutboxMessage>> ListAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync($"{Select} ORDER BY s.parked_at, s.outbox_id, m.sequence_number LIMIT @limit", cancellationToken, ("limit", limit));

    /// <summary>
    /// Parked messages of one saga: by envelope correlation id, or by the id in the body (an event names
    /// its saga by a message property, e.g. IngestId, as the scheduled-message lookup does).
    /// </summary>
    public Task<IReadOnlyList<ParkedOutboxMessage>> ForCorrelationAsync(Guid correlationId, CancellationToken cancellationToken) =>
        QueryAsync($"{Select} AND (m.correlation_id = @id OR strpos(lower(m.body), @text) > 0) ORDER BY s.parked_at, m.sequence_number",
            cancellationToken, ("id", correlationId), ("text", correlationId.ToString("D")));

    /// <summary>Delivery takes these groups again (ids of groups or of their messages); the attempt count starts over.</summary>
    public Task<IReadOnlyList<ParkedOutboxAction>> RetryAsync(IReadOnlyCollection<Guid> ids, string actor, CancellationToken cancellationToken) =>
        ActAsync(ids, actor, "outbox-retry", "retried",
            "UPDATE bus.outbox_state SET parked_at = NULL, parked_reason = NULL, attempts = 0, next_attempt_at = NULL " +
            "WHERE outbox_id = @id AND parked_at IS NOT NULL AND discarded_at IS NULL AND delivered_at IS NULL", cancellationToken);

    /// <summary>These groups are never sent (ids of groups or of their messages); the rows stay until cleanup.</summary>
    public Task<IReadOnlyList<ParkedOutboxAction>> DiscardAsync(IReadOnlyCollection<Guid> ids, string actor, CancellationToken cancellationToken) =>
        ActAsync(ids, actor, "outbox-discard", "discarded",
            "UPDATE bus.outbox_state SET discarded_at = now(), discarded_by = @actor " +
            "WHERE outbox_id = @id AND parked_at IS NOT NULL AND discarded_at IS NULL AND delivered_at IS NULL", cancellationToken);

    private async Task<IReadOnlyList<ParkedOutboxAction>> ActAsync(IReadOnlyCollection<Guid> ids, string actor, string action, string outcome, string sql,
        CancellationToken cancellationToken)
    {
        var results = new List<ParkedOutboxAction>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var id in ids.Distinct())
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var group = await GroupOfAsync(connection, transaction, id, cancellationToken);
            if (group is null)
            {
                results.Add(new ParkedOutboxAction(id, "not found: no parked outbox group or message has this id (see 'busctl outbox list')"));
                continue;
            }
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("id", group.Value);
            command.Parameters.AddWithValue("actor", actor);
            var changed = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
            if (changed)
                await ErrorAudit.RecordAsync(connection, transaction, actor, action, "outbox", group.Value.ToString(), null, outcome, null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            results.Add(new ParkedOutboxAction(group.Value, changed ? outcome : "not parked (delivered, discarded or retried meanwhile)"));
        }
        return results;
    }

    /// <summary>The group of a parked group's id or of one of its messages' ids, locked for the change.</summary>
    private static async Task<Guid?> GroupOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT s.outbox_id FROM bus.outbox_state s WHERE s.parked_at IS NOT NULL AND (s.outbox_id = @id " +
            "OR s.outbox_id IN (SELECT outbox_id FROM bus.outbox_message WHERE message_id = @id)) LIMIT 1 FOR UPDATE", connection, transaction);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is Guid g ? g : null;
    }

    private async Task<IReadOnlyList<ParkedOutboxMessage>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var rows = new List<ParkedOutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new ParkedOutboxMessage(
                reader.GetGuid(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3).Split(';')[0], reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.GetInt64(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10), reader.IsDBNull(11) ? null : reader.GetString(11)));
        return rows;
    }
}
