using Npgsql;
using NpgsqlTypes;

namespace Bus.Restore.SpotTests;

/// <summary>A spot test as busctl shows it and its steps read it (its saga row).</summary>
public sealed record SpotTestView(
    Guid SpotTestId, string Institution, string State, string RequestedBy, DateTimeOffset StartedAt, string? ObjectIdentifier, long? ObjectBytes,
    string? RestoreBucket, string? RestoreKey, string? Outcome, string? Reason, DateTimeOffset? FinishedAt)
{
    public bool Ended => State is "Passed" or "Failed" or "Skipped";
}

/// <summary>The latest spot test of an institution: when it started and its id (what the next one's id derives from).</summary>
public sealed record LatestSpotTest(Guid SpotTestId, DateTimeOffset StartedAt);

/// <summary>Reads spot tests (<c>bus.spot_test_saga</c>) for busctl, the steps and the sweep.</summary>
public sealed class SpotTestRecords(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        correlation_id, institution, current_state, requested_by, started_at, object_identifier, object_bytes,
        restore_bucket, restore_key, outcome, reason, finished_at
        """;

    public async Task<SpotTestView?> FindAsync(Guid spotTestId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {Columns} FROM bus.spot_test_saga WHERE correlation_id = @id", p => p.AddWithValue("id", spotTestId), ct)).SingleOrDefault();

    /// <summary>Spot tests newest first, optionally of one institution.</summary>
    public Task<IReadOnlyList<SpotTestView>> ListAsync(string? institution, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM bus.spot_test_saga
            WHERE (@institution::text IS NULL OR institution = @institution)
            ORDER BY started_at DESC, correlation_id DESC LIMIT @limit
            """, p =>
        {
            p.Add(new NpgsqlParameter("institution", NpgsqlDbType.Text) { Value = (object?)institution ?? DBNull.Value });
            p.AddWithValue("limit", limit);
        }, ct);

    /// <summary>The newest spot test of each institution that has one.</summary>
    public async Task<IReadOnlyDictionary<string, LatestSpotTest>> LatestAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT ON (institution) institution, correlation_id, started_at
            FROM bus.spot_test_saga ORDER BY institution, started_at DESC, correlation_id DESC
            """);
        var latest = new Dictionary<string, LatestSpotTest>(StringComparer.Ordinal);
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) latest[r.GetString(0)] = new LatestSpotTest(r.GetGuid(1), r.GetFieldValue<DateTimeOffset>(2));
        return latest;
    }

    private async Task<IReadOnlyList<SpotTestView>> QueryAsync(string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        parameters(command.Parameters);
        var rows = new List<SpotTestView>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new SpotTestView(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10),
                r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11)));
        return rows;
    }
}
