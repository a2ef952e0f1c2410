using Npgsql;

namespace Bus.Workflows.Watchdog;

/// <summary>One stalled saga as the scan found it: its state and what bus.saga_watch says of it in that state.</summary>
public sealed record StalledSaga(Guid CorrelationId, string State, int Resends, Guid? AlertId);

/// <summary>The watchdog's SQL over the saga tables, <c>bus.saga_watch</c> and the heartbeats.</summary>
internal static class WatchLedger
{
    /// <summary>
    /// Rows of <paramref name="watch"/>'s table in a watched state with no sign of life for longer than the state's
    /// limit (row unchanged, no step heartbeat, no sliced-read slice ended), that were not re-sent within the limit
    /// and are not alerted already; a row bus.saga_watch knows in another state counts as new (0 re-sends). Only sagas
    /// that made a transition in <paramref name="virtualHost"/>: the tables are shared by every virtual host of the database.
    /// </summary>
    public static async Task<List<StalledSaga>> FindStalledAsync(NpgsqlConnection connection, ISagaWatch watch,
        IReadOnlyDictionary<string, TimeSpan> limits, string virtualHost, int batch, CancellationToken cancellationToken)
    {
        var hb = $"s.\"{watch.HeartbeatColumn}\"";
        await using var command = new NpgsqlCommand($"""
            SELECT s.correlation_id, s.current_state,
                   CASE WHEN w.state = s.current_state THEN w.resends ELSE 0 END,
                   CASE WHEN w.state = s.current_state THEN w.alert_id END
              FROM {watch.Table} s
              JOIN unnest(@states::text[], @seconds::float8[]) AS l(state, seconds) ON l.state = s.current_state
              LEFT JOIN bus.saga_watch w ON w.saga_type = @type AND w.correlation_id = s.correlation_id
              LEFT JOIN bus.step_heartbeats h ON h.workflow_id = {hb}
             WHERE s.updated_at < now() - make_interval(secs => l.seconds)
               AND EXISTS (SELECT 1 FROM bus.saga_transitions t
                            WHERE t.saga_type = @transitionType AND t.correlation_id = s.correlation_id AND t.virtual_host = @vhost)
               AND (h.beat_at IS NULL OR h.beat_at < now() - make_interval(secs => l.seconds))
               AND NOT EXISTS (SELECT 1 FROM bus.copy_read_slices c
                                WHERE c.workflow_id = {hb} AND c.ended_at >= now() - make_interval(secs => l.seconds))
               AND (w.state IS DISTINCT FROM s.current_state
                    OR (w.alerted_at IS NULL AND (w.last_resent_at IS NULL OR w.last_resent_at < now() - make_interval(secs => l.seconds))))
             ORDER BY s.updated_at
             LIMIT @batch
            """, connection);
        command.Parameters.AddWithValue("states", limits.Keys.ToArray());
        command.Parameters.AddWithValue("seconds", limits.Values.Select(l => l.TotalSeconds).ToArray());
        command.Parameters.AddWithValue("type", watch.SagaType);
        command.Parameters.AddWithValue("batch", batch);
        command.Parameters.AddWithValue("transitionType", watch.TransitionSagaType);
        command.Parameters.AddWithValue("vhost", virtualHost);
        var rows = new List<StalledSaga>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new StalledSaga(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetGuid(3)));
        return rows;
    }

    /// <summary>
    /// Counts one re-send of <paramref name="saga"/>'s command in its state, starting the count (and a new alert id)
    /// when the row was for another state. A compare-and-set on the count read by the scan: of two watchdogs (a
    /// leader that lost its lock, and the next) only one counts and sends. False: someone else did.
    /// </summary>
    public static async Task<bool> CountResendAsync(NpgsqlConnection connection, string sagaType, StalledSaga saga, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO bus.saga_watch AS w (saga_type, correlation_id, state, resends, last_resent_at, alert_id)
            VALUES (@type, @id, @state, 1, now(), gen_random_uuid())
            ON CONFLICT (saga_type, correlation_id) DO UPDATE SET
                resends = CASE WHEN w.state = EXCLUDED.state THEN w.resends + 1 ELSE 1 END,
                first_seen_at = CASE WHEN w.state = EXCLUDED.state THEN w.first_seen_at ELSE now() END,
                alert_id = CASE WHEN w.state = EXCLUDED.state THEN w.alert_id ELSE EXCLUDED.alert_id END,
                alerted_at = CASE WHEN w.state = EXCLUDED.state THEN w.alerted_at ELSE NULL END,
                last_resent_at = now(),
                state = EXCLUDED.state
            WHERE w.state IS DISTINCT FROM EXCLUDED.state OR (w.resends = @resends AND w.alerted_at IS NULL)
            """, connection);
        command.Parameters.AddWithValue("type", sagaType);
        command.Parameters.AddWithValue("id", saga.CorrelationId);
        command.Parameters.AddWithValue("state", saga.State);
        command.Parameters.AddWithValue("resends", saga.Resends);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The alert id of the saga's row in its state (made now when there is none), for a raise that a retry repeats harmlessly.</summary>
    public static async Task<Guid> AlertIdAsync(NpgsqlConnection connection, string sagaType, StalledSaga saga, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO bus.saga_watch AS w (saga_type, correlation_id, state, resends, alert_id)
            VALUES (@type, @id, @state, 0, gen_random_uuid())
            ON CONFLICT (saga_type, correlation_id) DO UPDATE SET
                resends = CASE WHEN w.state = EXCLUDED.state THEN w.resends ELSE 0 END,
                first_seen_at = CASE WHEN w.state = EXCLUDED.state THEN w.first_seen_at ELSE now() END,
                alert_id = CASE WHEN w.state = EXCLUDED.state THEN w.alert_id ELSE EXCLUDED.alert_id END,
                alerted_at = CASE WHEN w.state = EXCLUDED.state THEN w.alerted_at ELSE NULL END,
                last_resent_at = CASE WHEN w.state = EXCLUDED.state THEN w.last_resent_at ELSE NULL END,
                state = EXCLUDED.state
            RETURNING alert_id
            """, connection);
        command.Parameters.AddWithValue("type", sagaType);
        command.Parameters.AddWithValue("id", saga.CorrelationId);
        command.Parameters.AddWithValue("state", saga.State);
        return (Guid)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task MarkAlertedAsync(NpgsqlConnection connection, string sagaType, Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE bus.saga_watch SET alerted_at = now() WHERE saga_type = @type AND correlation_id = @id AND alerted_at IS NULL", connection);
        command.Parameters.AddWithValue("type", sagaType);
        command.Parameters.AddWithValue("id", correlationId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Forgets what no longer needs remembering: watch rows of sagas that left the state they were watched in, and
    /// heartbeats older than a week (a workflow whose steps have not run for a week is judged by its row alone).
    /// </summary>
    public static async Task ForgetAsync(NpgsqlConnection connection, ISagaWatch watch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            DELETE FROM bus.saga_watch w WHERE w.saga_type = @type
               AND NOT EXISTS (SELECT 1 FROM {watch.Table} s WHERE s.correlation_id = w.correlation_id AND s.current_state = w.state)
            """, connection);
        command.Parameters.AddWithValue("type", watch.SagaType);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task ForgetOldHeartbeatsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM bus.step_heartbeats WHERE beat_at < now() - interval '7 days'", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
