using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>The statements that put captured messages into the outbox and schedule tables.</summary>
internal static class OutboxSql
{
    private static readonly string ScheduledUpdate = string.Join(", ",
        ("due_at, " + StoredMessage.EnvelopeColumns).Split(", ").Select(c => $"{c} = excluded.{c}"));

    /// <summary>
    /// Adds to <paramref name="batch"/> one outbox group for the messages to send now (so delivery keeps
    /// their order and several hosts never split a group) and one schedule row per delayed message.
    /// Returns whether an outbox group was written.
    /// </summary>
    public static bool AddWrites(ICollection<NpgsqlBatchCommand> batch, IReadOnlyList<StoredMessage> messages, Guid? sourceMessageId, Guid? consumerId)
    {
        var immediate = messages.Where(m => m.DueAt is null).ToList();
        if (immediate.Count > 0)
        {
            var outboxId = MassTransit.NewId.NextGuid();
            var state = new NpgsqlBatchCommand(
                "INSERT INTO bus.outbox_state (outbox_id, source_message_id, consumer_id) VALUES (@id, @src, @consumer)");
            state.Parameters.Add(new NpgsqlParameter("id", outboxId));
            state.Parameters.Add(new NpgsqlParameter("src", (object?)sourceMessageId ?? DBNull.Value));
            state.Parameters.Add(new NpgsqlParameter("consumer", (object?)consumerId ?? DBNull.Value));
            batch.Add(state);

            var insert = new NpgsqlBatchCommand();
            insert.Parameters.Add(new NpgsqlParameter("oid", outboxId));
            var rows = immediate.Select((m, i) => $"(@oid, {m.AddParameters(insert.Parameters, $"m{i}")})");
            insert.CommandText = $"INSERT INTO bus.outbox_message (outbox_id, {StoredMessage.EnvelopeColumns}) VALUES {string.Join(", ", rows)}";
            batch.Add(insert);
        }

        foreach (var m in messages.Where(m => m.DueAt is not null))
        {
            var schedule = new NpgsqlBatchCommand();
            schedule.Parameters.Add(new NpgsqlParameter("token", m.TokenId ?? m.MessageId));
            schedule.Parameters.Add(new NpgsqlParameter("due", DateTime.SpecifyKind(m.DueAt!.Value, DateTimeKind.Utc)));
            schedule.CommandText =
                $"INSERT INTO bus.scheduled_message (token_id, due_at, {StoredMessage.EnvelopeColumns}) " +
                $"VALUES (@token, @due, {m.AddParameters(schedule.Parameters, "m")}) " +
                $"ON CONFLICT (token_id) DO UPDATE SET {ScheduledUpdate}";
            batch.Add(schedule);
        }
        return immediate.Count > 0;
    }

    public static async Task CancelScheduledAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid tokenId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM bus.scheduled_message WHERE token_id = @token", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("token", tokenId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
