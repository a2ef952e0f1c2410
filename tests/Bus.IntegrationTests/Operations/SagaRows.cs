using Bus.Platform.Options;
using Npgsql;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// Saga rows written straight into the saga tables and bus.saga_transitions (as the repository would),
/// each with a fresh correlation id so concurrent runs never see each other's; disposing deletes them.
/// Expects the stack's database migrated (make test-integration runs busctl db migrate).
/// </summary>
public sealed class SagaRows : IAsyncDisposable
{
    public static string ConnectionString { get; } = new PostgresOptions().ConnectionString;
    /// <summary>The owner role: creates roles and tables, which the runtime role may not.</summary>
    public static string OwnerConnectionString { get; } = new PostgresOptions().MigrationConnectionString;
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(ConnectionString);
    private readonly List<Guid> _ids = [];

    public string Tag { get; } = "sv" + Guid.NewGuid().ToString("N")[..10];

    public async Task<Guid> DeletionAsync(string state, TimeSpan updatedAgo, string? faultReason = null, string? refusalCode = null, string? refusalReason = null)
    {
        var id = Track();
        await ExecAsync("""
            INSERT INTO bus.deletion_requests (correlation_id, current_state, updated_at, identifier, object_identifier, institution, is_file,
                requested_by, reason, requested_at, copies_removed, refusal_log, fault_reason, refusal_code, refusal_reason)
            VALUES (@id, @state, now() - @ago, @key, @key, 'test.edu', false, 'test', 'test', now() - @ago, 0, '', @fault, @code, @reason)
            """, ("id", id), ("state", state), ("ago", updatedAgo), ("key", $"test.edu/{Tag}-{id:N}"),
            ("fault", (object?)faultReason ?? DBNull.Value), ("code", (object?)refusalCode ?? DBNull.Value), ("reason", (object?)refusalReason ?? DBNull.Value));
        return id;
    }

    public async Task<Guid> FixityAsync(string state, TimeSpan updatedAgo, string? fileIdentifier, long storageRecordId, string? failureReason = null)
    {
        var id = Track();
        await ExecAsync("""
            INSERT INTO bus.fixity_check_saga (correlation_id, current_state, updated_at, check_id, storage_record_id, requested_by, requested_at,
                file_identifier, failure_reason)
            VALUES (@id, @state, now() - @ago, gen_random_uuid(), @record, 'test', now() - @ago, @file, @failure)
            """, ("id", id), ("state", state), ("ago", updatedAgo), ("record", storageRecordId),
            ("file", (object?)fileIdentifier ?? DBNull.Value), ("failure", (object?)failureReason ?? DBNull.Value));
        return id;
    }

    /// <summary>An ingest saga row; <paramref name="storeAttempts"/> lands in store_attempts (the step a parked Store shows).</summary>
    public async Task<Guid> IngestAsync(string state, TimeSpan updatedAgo, string? currentStep, int storeAttempts = 0, string? lastError = null)
    {
        var id = Track();
        await ExecAsync("""
            INSERT INTO bus.ingest_saga (correlation_id, current_state, updated_at, institution, bucket, key, e_tag, size, submitted_by, received_at,
                bag_name, object_identifier, current_step, store_attempts, last_error)
            VALUES (@id, @state, now() - @ago, 'test.edu', 'bus-receiving', @bag || '.tar', 'etag', 1, 'test', now() - @ago,
                    @bag, 'test.edu/' || @bag, @step, @attempts, @error)
            """, ("id", id), ("state", state), ("ago", updatedAgo), ("bag", $"{Tag}-{id:N}"), ("step", (object?)currentStep ?? DBNull.Value),
            ("attempts", storeAttempts), ("error", (object?)lastError ?? DBNull.Value));
        return id;
    }

    /// <param name="sagaType">The state class name, as the repository records it (DeletionState, FixityCheckState).</param>
    public Task TransitionAsync(string sagaType, Guid id, string? from, string to, TimeSpan ago) =>
        ExecAsync("""
            INSERT INTO bus.saga_transitions (saga_type, correlation_id, from_state, to_state, event, host, occurred_at)
            VALUES (@type, @id, @from, @to, 'Test', 'test', now() - @ago)
            """, ("type", sagaType), ("id", id), ("from", (object?)from ?? DBNull.Value), ("to", to), ("ago", ago));

    /// <summary>A scheduled message far in the future (no scheduler sends it) whose body names the saga.</summary>
    public async Task<Guid> ScheduledAsync(Guid sagaId)
    {
        var token = Guid.NewGuid();
        await ExecAsync("""
            INSERT INTO bus.scheduled_message (token_id, due_at, message_id, destination_address, message_type, content_type, body, sent_time)
            VALUES (@token, '2999-01-01', gen_random_uuid(), 'queue:nowhere-test', 'urn:message:Test:Timeout', 'application/vnd.masstransit+json',
                    '{"message":{"requestId":"' || @saga || '"}}', now())
            """, ("token", token), ("saga", sagaId.ToString()));
        _tokens.Add(token);
        return token;
    }

    private readonly List<Guid> _tokens = [];

    public async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _db.CreateCommand(sql);
        foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        return rows;
    }

    private Guid Track()
    {
        var id = Guid.NewGuid();
        _ids.Add(id);
        return id;
    }

    private async Task ExecAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _db.CreateCommand(sql);
        foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        var ids = _ids.ToArray();
        await ExecAsync("DELETE FROM bus.deletion_requests WHERE correlation_id = ANY(@ids)", ("ids", ids));
        await ExecAsync("DELETE FROM bus.fixity_check_saga WHERE correlation_id = ANY(@ids)", ("ids", ids));
        await ExecAsync("DELETE FROM bus.ingest_saga WHERE correlation_id = ANY(@ids)", ("ids", ids));
        await ExecAsync("DELETE FROM bus.saga_transitions WHERE correlation_id = ANY(@ids)", ("ids", ids));
        await ExecAsync("DELETE FROM bus.scheduled_message WHERE token_id = ANY(@tokens)", ("tokens", _tokens.ToArray()));
        await _db.DisposeAsync();
    }
}
