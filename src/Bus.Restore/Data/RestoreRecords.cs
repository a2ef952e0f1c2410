using Npgsql;
using NpgsqlTypes;

namespace Bus.Restore.Data;

/// <summary>A restore as busctl and the API show it (its saga row).</summary>
public sealed record RestoreView(
    Guid RestoreId, string Kind, string Identifier, string ObjectIdentifier, string Institution, string State, string RequestedBy,
    DateTimeOffset RequestedAt, string? Bucket, string? Key, long? Size, int? Files, int ColdPending, string? FailureReason, DateTimeOffset? FinishedAt)
{
    public bool Succeeded => State == "Completed";
    public bool Ended => State is "Completed" or "Failed";
}

/// <summary>Reads restores for busctl and the API (newest first).</summary>
public sealed class RestoreRecords(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        correlation_id, kind, identifier, object_identifier, institution, current_state, requested_by, requested_at,
        bucket, key, size, files, cold_pending, failure_reason, finished_at
        """;

    public async Task<RestoreView?> FindAsync(Guid restoreId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {Columns} FROM bus.restore_saga WHERE correlation_id = @id", p => p.AddWithValue("id", restoreId), ct)).SingleOrDefault();

    /// <summary>
    /// Restores newest first, optionally of one institution and in one state; with <paramref name="before"/> only those
    /// after that row in this order (keyset paging: requested time, then id).
    /// </summary>
    public Task<IReadOnlyList<RestoreView>> ListAsync(string? institution, string? state, int limit, (DateTimeOffset At, Guid Id)? before, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM bus.restore_saga
            WHERE (@institution::text IS NULL OR institution = @institution) AND (@state::text IS NULL OR current_state = @state)
              AND (@at::timestamptz IS NULL OR (requested_at, correlation_id) < (@at, @id))
            ORDER BY requested_at DESC, correlation_id DESC LIMIT @limit
            """, p =>
        {
            p.Add(new NpgsqlParameter("institution", NpgsqlDbType.Text) { Value = (object?)institution ?? DBNull.Value });
            p.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = (object?)state ?? DBNull.Value });
            p.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = (object?)before?.At.ToUniversalTime() ?? DBNull.Value });
            p.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)before?.Id ?? DBNull.Value });
            p.AddWithValue("limit", limit);
        }, ct);

    private async Task<IReadOnlyList<RestoreView>> QueryAsync(string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        parameters(command.Parameters);
        var rows = new List<RestoreView>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new RestoreView(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.IsDBNull(10) ? null : r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt32(11), r.GetInt32(12),
                r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14)));
        return rows;
    }
}
