namespace Bus.Operations.Sagas;

/// <summary>One deletion request as <c>busctl delete show</c> prints it (a row of bus.deletion_requests).</summary>
public sealed record DeletionRequestRow(
    Guid RequestId, string State, string Identifier, string ObjectIdentifier, string Institution, bool IsFile, string RequestedBy, string Reason,
    DateTimeOffset RequestedAt, DateTimeOffset? ExpiresAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionComment,
    DateTimeOffset? CompletedAt, int CopiesRemoved, string? RefusalCode, string? RefusalReason, string RefusalLog, string? FaultReason);

public sealed partial class SagaStatusStore
{
    /// <summary>The full row of one deletion request: who asked, who decided, every refusal; null when there is none.</summary>
    public async Task<DeletionRequestRow?> DeletionRequestAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT correlation_id, current_state, identifier, object_identifier, institution, is_file, requested_by, reason,
                   requested_at, expires_at, decided_by, decided_at, decision_comment, completed_at, copies_removed,
                   refusal_code, refusal_reason, refusal_log, fault_reason
              FROM bus.deletion_requests WHERE correlation_id = @id
            """);
        command.Parameters.AddWithValue("id", requestId);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) return null;
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        DateTimeOffset? Time(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        return new DeletionRequestRow(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetString(6),
            r.GetString(7), r.GetFieldValue<DateTimeOffset>(8), Time(9), Text(10), Time(11), Text(12), Time(13), r.GetInt32(14), Text(15), Text(16),
            r.GetString(17), Text(18));
    }
}
