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

    /// <summary>A request other than <paramref name="except"/> on <paramref name="objectIdentifier"/> (or one of its files) that has not ended, if any.</summary>
    Task<DeletionRecord?> FindOpenAsync(string objectIdentifier, Guid except, CancellationToken cancellationToken);
}

/// <summary>A deletion request as recorded: state, item, who asked and who approved.</summary>
public sealed record DeletionRecord(Guid RequestId, string State, string Identifier, string RequestedBy, string? DecidedBy, string Reason)
{
    /// <summary>Approved and not finished: the saga moved to Deleting on approval and to Faulted when the step faulted.</summary>
    public bool IsApproved => State is "Deleting" or "Faulted" && !string.IsNullOrEmpty(DecidedBy);

    /// <summary>The states of a request that has not ended.</summary>
    public static readonly IReadOnlyList<string> OpenStates = ["PendingApproval", "WaitingForItem", "Deleting", "Faulted"];

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

    public async Task<DeletionRecord?> FindOpenAsync(string objectIdentifier, Guid except, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT correlation_id, current_state, identifier, requested_by, decided_by, reason FROM bus.deletion_requests
            WHERE object_identifier = @object AND correlation_id <> @except AND current_state = ANY(@open) LIMIT 1
            """);
        command.Parameters.AddWithValue("object", objectIdentifier);
        command.Parameters.AddWithValue("except", except);
        command.Parameters.AddWithValue("open", DeletionRecord.OpenStates.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new DeletionRecord(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));
    }
}
