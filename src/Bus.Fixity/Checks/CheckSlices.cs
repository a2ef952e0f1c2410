using Npgsql;
using NpgsqlTypes;

namespace Bus.Fixity.Checks;

/// <summary><c>fixity.check_slices</c> in PostgreSQL; the primary key (check_id, slice) is the compare-and-set.</summary>
public sealed class CheckSlices(FixityDatabase database) : ICheckSlices
{
    private const string Columns = """
        check_id, slice, storage_record_id, from_offset, to_offset, etag, size, algorithms, hash_states,
        ended, restart_reason, host, started_at, ended_at
        """;

    public async Task<SliceRecord?> LatestAsync(Guid checkId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM fixity.check_slices WHERE check_id = @id ORDER BY slice DESC LIMIT 1", checkId, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<SliceRecord>> ListAsync(Guid checkId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM fixity.check_slices WHERE check_id = @id ORDER BY slice", checkId, cancellationToken);

    public async Task<bool> TryAddAsync(SliceRecord slice, CancellationToken cancellationToken)
    {
        var s = slice;
        await using var command = database.DataSource.CreateCommand($"""
            INSERT INTO fixity.check_slices ({Columns})
            VALUES (@id, @slice, @copy, @from, @to, @etag, @size, @algorithms, @states, @ended, @reason, @host, @started, @ended_at)
            ON CONFLICT (check_id, slice) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue("id", s.CheckId);
        p.AddWithValue("slice", s.Slice);
        p.AddWithValue("copy", s.StorageRecordId);
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

    private async Task<IReadOnlyList<SliceRecord>> QueryAsync(string sql, Guid checkId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", checkId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SliceRecord>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new SliceRecord(
                reader.GetGuid(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetFieldValue<string[]>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[][]>(8),
                reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetString(11),
                reader.GetFieldValue<DateTimeOffset>(12), reader.GetFieldValue<DateTimeOffset>(13)));
        return rows;
    }
}
