using Npgsql;
using NpgsqlTypes;

namespace Bus.Workflows.Copies.Data;

/// <summary><c>bus.copy_read_slices</c> in PostgreSQL; the primary key (read_id, slice) is the compare-and-set.</summary>
public sealed class CopyReadSlices(NpgsqlDataSource dataSource) : ICopyReadSlices
{
    private const string Columns = """
        read_id, slice, workflow_id, from_offset, to_offset, etag, size, algorithms, hash_states,
        ended, restart_reason, host, started_at, ended_at
        """;

    public async Task<CopyReadSlice?> LatestAsync(Guid readId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM bus.copy_read_slices WHERE read_id = @id ORDER BY slice DESC LIMIT 1", readId, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<CopyReadSlice>> ListAsync(Guid readId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM bus.copy_read_slices WHERE read_id = @id ORDER BY slice", readId, cancellationToken);

    public async Task<bool> TryAddAsync(CopyReadSlice slice, CancellationToken cancellationToken)
    {
        var s = slice;
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO bus.copy_read_slices ({Columns})
            VALUES (@id, @slice, @workflow, @from, @to, @etag, @size, @algorithms, @states, @ended, @reason, @host, @started, @ended_at)
            ON CONFLICT (read_id, slice) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("id", s.ReadId);
        p.AddWithValue("slice", s.Slice);
        p.AddWithValue("workflow", s.WorkflowId);
        p.AddWithValue("from", s.FromOffset);
        p.AddWithValue("to", s.ToOffset);
        p.Add(new NpgsqlParameter("etag", NpgsqlDbType.Text) { Value = (object?)s.ETag ?? DBNull.Value });
        p.Add(new NpgsqlParameter("size", NpgsqlDbType.Bigint) { Value = (object?)s.Size ?? DBNull.Value });
        p.Add(new NpgsqlParameter("algorithms", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = s.Algorithms.ToArray() });
        p.Add(new NpgsqlParameter("states", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = (object?)s.HashStates?.ToArray() ?? DBNull.Value });
        p.AddWithValue("ended", s.Ended);
        p.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)s.RestartReason ?? DBNull.Value });
        p.AddWithValue("host", s.Host);
        p.AddWithValue("started", s.StartedAt.ToUniversalTime());
        p.AddWithValue("ended_at", s.EndedAt.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ForgetAsync(Guid readId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM bus.copy_read_slices WHERE read_id = @id");
        command.Parameters.AddWithValue("id", readId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> ForgetWorkflowAsync(Guid workflowId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM bus.copy_read_slices WHERE workflow_id = @id");
        command.Parameters.AddWithValue("id", workflowId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<CopyReadSlice>> QueryAsync(string sql, Guid readId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", readId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<CopyReadSlice>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new CopyReadSlice(
                reader.GetGuid(0), reader.GetInt32(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetFieldValue<string[]>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[][]>(8),
                reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11),
                reader.GetFieldValue<DateTimeOffset>(12), reader.GetFieldValue<DateTimeOffset>(13)));
        return rows;
    }
}
