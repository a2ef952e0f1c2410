using Npgsql;

namespace Bus.Benchmarks.Ingest;

/// <summary>One ingest saga row as the benchmarks read it: state, times, and the per-step timing columns.</summary>
public sealed record IngestRow(Guid IngestId, string State, DateTimeOffset ReceivedAt, DateTimeOffset? FinishedAt, string? LastError,
    IReadOnlyList<StepTiming> Steps, long ProgressDone)
{
    public static readonly string[] Terminal = ["Completed", "Rejected", "Failed", "Cancelled", "Faulted"];
    public static readonly string[] StepNames = ["unpack", "validate", "identify", "store", "verify", "record", "clean_up"];

    public static async Task<List<IngestRow>> LoadAsync(NpgsqlDataSource database, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var columns = string.Join(", ", StepNames.Select(s => $"{s}_attempts, {s}_started_at, {s}_finished_at"));
        await using var command = database.CreateCommand(
            $"SELECT correlation_id, current_state, received_at, finished_at, last_error, {columns}, progress_done FROM bus.ingest_saga WHERE correlation_id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var r = await command.ExecuteReaderAsync(ct);
        var rows = new List<IngestRow>();
        while (await r.ReadAsync(ct))
        {
            DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            var steps = StepNames.Select((s, i) => new StepTiming(s, r.GetInt32(5 + 3 * i), At(6 + 3 * i), At(7 + 3 * i))).ToList();
            rows.Add(new IngestRow(r.GetGuid(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), At(3), r.IsDBNull(4) ? null : r.GetString(4), steps,
                r.GetInt64(5 + 3 * StepNames.Length)));
        }
        return rows;
    }
}

/// <summary>A step's first start and last finish (saga columns): the step's own time, queue waits inside it included.</summary>
public sealed record StepTiming(string Step, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public double? Seconds => StartedAt is { } s && FinishedAt is { } f ? (f - s).TotalSeconds : null;
}
