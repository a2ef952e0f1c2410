using Npgsql;

namespace Bus.Deletion.Data;

/// <summary>
/// What <c>bus.deletion_requests</c> says about a request, read by the deletion step before it removes
/// anything: a <c>DeleteItem</c> is input like any message, so it runs only for a request the saga
/// approved (Deleting, or Faulted awaiting a replay) for the very item the message names.
/// </summary>
public interface IApprovedDeletions
{
    Task<DeletionRecord?> FindAsync(Guid requestId, CancellationToken cancellationToken);
}

/// <summary>A deletion request as recorded: state, item, who asked and who approved.</summary>
public sealed record DeletionRecord(Guid RequestId, string State, string Identifier, string RequestedBy, string? DecidedBy, string Reason)
{
    /// <summary>Approved and not finished: the saga moved to Deleting on approval and to Faulted when the step faulted.</summary>
    public bool IsApproved => State is "Deleting" or "Faulted" && !string.IsNullOrEmpty(DecidedBy);

    /// <summary>Why a <c>DeleteItem</c> for <paramref name="identifier"/> must not run, or null when it may.</summary>
    public static string? Refusal(DeletionRecord? record, Guid requestId, string identifier) =>
        record is null ? $"no deletion request {requestId} exists"
        : !record.IsApproved ? $"deletion request {requestId} is {record.State}, not approved and deleting"
        : !string.Equals(record.Identifier, identifier, StringComparison.Ordinal)
            ? $"deletion request {requestId} is for '{record.Identifier}', not '{identifier}'"
            : null;
}

public sealed class PostgresApprovedDeletions(NpgsqlDataSource dataSource) : IApprovedDeletions
{
    public async Task<DeletionRecord?> FindAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT current_state, identifier, requested_by, decided_by, reason FROM bus.deletion_requests WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new DeletionRecord(requestId, reader.GetString(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
    }
}
