using Npgsql;

namespace Bus.Operations.Audit;

/// <summary>
/// Writes <c>bus.error_audit</c> with plain Npgsql (one row per message on the replay hot path,
/// one statement per batch). A replay row is written as <c>publishing</c> before the copy is sent and
/// updated afterwards, so an interrupted replay leaves a visible trace of exactly which messages were in flight.
/// </summary>
public sealed class ErrorAudit(NpgsqlDataSource dataSource)
{
    /// <summary>Fails before any message is touched when the database or the table is not there.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM bus.error_audit LIMIT 0");
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new OperationsUsageException("table bus.error_audit does not exist: run 'busctl db migrate' first");
        }
    }

    /// <summary>
    /// One <c>publishing</c> row per message of a replay batch, in one statement, before any copy is
    /// sent; returns their ids in the order of <paramref name="messages"/>.
    /// </summary>
    public async Task<IReadOnlyList<long>> StartAsync(string actor, string action, string queue,
        IReadOnlyList<(string? MessageId, string? Target)> messages, CancellationToken cancellationToken)
    {
        // Ids are drawn first and paired with each message by its position: the order of INSERT ... RETURNING is not defined.
        await using var command = dataSource.CreateCommand("""
            WITH ids AS MATERIALIZED (
                SELECT n, nextval(pg_get_serial_sequence('bus.error_audit', 'id')) AS id
                FROM generate_series(1, cardinality($4::text[])) AS n),
            inserted AS (
                INSERT INTO bus.error_audit (id, actor, action, queue, message_id, target, outcome) OVERRIDING SYSTEM VALUE
                SELECT ids.id, $1, $2, $3, m.message_id, m.target, 'publishing'
                FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS m(message_id, target, n) JOIN ids USING (n))
            SELECT id FROM ids ORDER BY n
            """);
        command.Parameters.Add(new() { Value = actor });
        command.Parameters.Add(new() { Value = action });
        command.Parameters.Add(new() { Value = queue });
        command.Parameters.Add(new() { Value = messages.Select(m => m.MessageId).ToArray() });
        command.Parameters.Add(new() { Value = messages.Select(m => m.Target).ToArray() });
        var ids = new List<long>(messages.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>Sets the outcome and detail of rows written by <see cref="StartAsync"/>, in one statement.</summary>
    public async Task FinishAsync(IReadOnlyList<(long Id, string Outcome, string? Detail)> rows, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE bus.error_audit a SET outcome = r.outcome, detail = r.detail
            FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(id, outcome, detail)
            WHERE a.id = r.id
            """);
        command.Parameters.Add(new() { Value = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(r => r.Outcome).ToArray() });
        command.Parameters.Add(new() { Value = rows.Select(r => r.Detail).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A finished action, inside the caller's transaction when it has one (archive, restore, purge).</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string actor, string action,
        string queue, string? messageId, string? target, string outcome, string? detail, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO bus.error_audit (actor, action, queue, message_id, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            connection, transaction);
        command.Parameters.Add(new() { Value = actor });
        command.Parameters.Add(new() { Value = action });
        command.Parameters.Add(new() { Value = queue });
        command.Parameters.Add(new() { Value = (object?)messageId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)target ?? DBNull.Value });
        command.Parameters.Add(new() { Value = outcome });
        command.Parameters.Add(new() { Value = (object?)detail ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
