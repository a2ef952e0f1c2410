using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>The statements that put captured messages into the outbox and schedule tables.</summary>
internal static class OutboxSql
{
    private static readonly string ScheduledUpdate = string.Join(", ",
        ("due_at, virtual_host, " + StoredMessage.EnvelopeColumns).Split(", ").Select(c => $"{c} = excluded.{c}"));

    /// <summary>
    /// Adds to <paramref name="batch"/> one outbox group for the messages to send now (so delivery keeps
    /// their order and several hosts never split a group) and one schedule row per delayed message.
    /// Returns whether an outbox group was written. Both carry <paramref name="virtualHost"/>, the writer's
    /// RabbitMQ virtual host: only processes connected to it deliver them (see the claim queries).
    /// </summary>
    public static bool AddWrites(ICollection<NpgsqlBatchCommand> batch, IReadOnlyList<StoredMessage> messages, Guid? sourceMessageId, Guid? consumerId, string virtualHost)
    {
        var immediate = messages.Where(m => m.DueAt is null).ToList();
        if (immediate.Count > 0)
        {
            var outboxId = MassTransit.NewId.NextGuid();
            var state = new NpgsqlBatchCommand(
                "INSERT INTO bus.outbox_state (outbox_id, source_message_id, consumer_id, virtual_host) VALUES (@id, @src, @consumer, @vhost)");
            state.Parameters.Add(new NpgsqlParameter("id", outboxId));
            state.Parameters.Add(new NpgsqlParameter("src", (object?)sourceMessageId ?? DBNull.Value));
            state.Parameters.Add(new NpgsqlParameter("consumer", (object?)consumerId ?? DBNull.Value));
            state.Parameters.Add(new NpgsqlParameter("vhost", virtualHost));
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
            schedule.Parameters.Add(new NpgsqlParameter("vhost", virtualHost));
            schedule.CommandText =
                $"INSERT INTO bus.scheduled_message (token_id, due_at, virtual_host, {StoredMessage.EnvelopeColumns}) " +
                $"VALUES (@token, @due, @vhost, {m.AddParameters(schedule.Parameters, "m")}) " +
                $"ON CONFLICT (token_id) DO UPDATE SET {ScheduledUpdate}";
            batch.Add(schedule);
        }
        return immediate.Count > 0;
    }

    /// <summary>
    /// The claim filter of outbox delivery and the scheduler: rows of this process's virtual host, and rows
    /// written before rows were scoped (NULL). Both arms match the leading column of the pending-row index.
    /// </summary>
    public const string OwnVirtualHost = "(virtual_host = @vhost OR virtual_host IS NULL)";

    public static async Task CancelScheduledAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid tokenId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM bus.scheduled_message WHERE token_id = @token", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("token", tokenId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
