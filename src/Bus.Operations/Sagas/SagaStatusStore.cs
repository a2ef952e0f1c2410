using Npgsql;

namespace Bus.Operations.Sagas;

/// <summary>One row of bus.saga_status (see SagaStatusViews in Bus.Platform); StuckFor only from saga_stuck.</summary>
public sealed record SagaStatusRow(
    string SagaType, Guid CorrelationId, string? BusinessKey, string CurrentState, DateTimeOffset? StateSince,
    DateTimeOffset? UpdatedAt, int? Attempts, string? LastError, bool Terminal, TimeSpan? StuckFor);

public sealed record SagaTransitionRow(long Id, string? FromState, string ToState, string? Event, Guid? MessageId, string Host, DateTimeOffset OccurredAt);

public sealed record ScheduledMessageRow(Guid TokenId, DateTimeOffset DueAt, string MessageType, string DestinationAddress, Guid MessageId);

/// <summary>
/// The one way busctl reads saga state (sagas, errors show, ingest list, delete list/show): every list
/// comes from the admin views (bus.saga_status, bus.saga_stuck), so each command shows the same rows
/// with the same terminal flag; only one deletion request's full detail reads its saga row
/// (<see cref="DeletionRequestAsync"/>). Read-only queries only.
/// </summary>
public sealed partial class SagaStatusStore(NpgsqlDataSource dataSource)
{
    private const string Select =
        "saga_type, correlation_id, business_key, current_state, state_since, updated_at, attempts, last_error, terminal";

    /// <param name="stuckFor">When set, only non-terminal sagas with no transition for longer (bus.saga_stuck(threshold)).</param>
    /// <param name="limit">At most this many rows (the most recently changed); null for all.</param>
    public async Task<IReadOnlyList<SagaStatusRow>> ListAsync(string? sagaType, string? state, TimeSpan? stuckFor, int? limit, CancellationToken cancellationToken)
    {
        var from = stuckFor is null ? $"SELECT {Select}, NULL::interval AS stuck_for FROM bus.saga_status" : $"SELECT {Select}, stuck_for FROM bus.saga_stuck(@threshold)";
        await using var command = dataSource.CreateCommand(
            $"{from} WHERE (@type::text IS NULL OR saga_type = @type) AND (@state::text IS NULL OR current_state = @state) " +
            "ORDER BY coalesce(state_since, updated_at) DESC, correlation_id LIMIT @limit");
        command.Parameters.AddWithValue("limit", NpgsqlTypes.NpgsqlDbType.Integer, (object?)limit ?? DBNull.Value);
        command.Parameters.AddWithValue("type", (object?)sagaType ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("state", (object?)state ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        if (stuckFor is { } t) command.Parameters.AddWithValue("threshold", t);
        return await ReadRowsAsync(command, cancellationToken);
    }

    /// <summary>Every saga with this correlation id (one per type that uses it; usually one).</summary>
    public async Task<IReadOnlyList<SagaStatusRow>> FindAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Select}, NULL::interval AS stuck_for FROM bus.saga_status WHERE correlation_id = @id ORDER BY saga_type");
        command.Parameters.AddWithValue("id", correlationId);
        return await ReadRowsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<SagaTransitionRow>> TransitionsAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, from_state, to_state, event, message_id, host, occurred_at FROM bus.saga_transitions WHERE correlation_id = @id ORDER BY id");
        command.Parameters.AddWithValue("id", correlationId);
        var rows = new List<SagaTransitionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new SagaTransitionRow(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        return rows;
    }

    /// <summary>
    /// Scheduled messages not yet sent that belong to the saga: by envelope correlation id, or by the id
    /// appearing in the body, because a state machine's scheduled event (e.g. deletion's approval timeout)
    /// usually carries the saga id as a message property rather than as the envelope's correlation id.
    /// </summary>
    public async Task<IReadOnlyList<ScheduledMessageRow>> ScheduledAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT token_id, due_at, message_type, destination_address, message_id FROM bus.scheduled_message " +
            "WHERE correlation_id = @id OR strpos(lower(body), @text) > 0 ORDER BY due_at");
        command.Parameters.AddWithValue("id", correlationId);
        command.Parameters.AddWithValue("text", correlationId.ToString("D"));
        var rows = new List<ScheduledMessageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new ScheduledMessageRow(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetGuid(4)));
        return rows;
    }

    private static async Task<IReadOnlyList<SagaStatusRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<SagaStatusRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new SagaStatusRow(
                reader.GetString(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8),
                reader.IsDBNull(9) ? null : reader.GetTimeSpan(9)));
        return rows;
    }
}
