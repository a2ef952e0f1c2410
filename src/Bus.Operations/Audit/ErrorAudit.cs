using Npgsql;

namespace Bus.Operations.Audit;

/// <summary>
/// Writes <c>bus.error_audit</c> with plain Npgsql (one row per message on the replay hot path).
/// A replay row is written as <c>publishing</c> before the copy is sent and updated afterwards, so
/// an interrupted replay leaves a visible trace of exactly which message was in flight.
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

    public async Task<long> StartAsync(string actor, string action, string queue, string? messageId, string? target, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO bus.error_audit (actor, action, queue, message_id, target, outcome) VALUES ($1, $2, $3, $4, $5, 'publishing') RETURNING id");
        command.Parameters.Add(new() { Value = actor });
        command.Parameters.Add(new() { Value = action });
        command.Parameters.Add(new() { Value = queue });
        command.Parameters.Add(new() { Value = (object?)messageId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)target ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task FinishAsync(long id, string outcome, string? detail, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE bus.error_audit SET outcome = $2, detail = $3 WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = outcome });
        command.Parameters.Add(new() { Value = (object?)detail ?? DBNull.Value });
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
