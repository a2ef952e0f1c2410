using Npgsql;

namespace Bus.Operations.Sagas;

/// <summary>
/// <see cref="ISagaLookup"/> over bus.saga_status, so errors show names the saga of any type whose
/// module added its per-type view, without Operations referencing the saga modules.
/// </summary>
public sealed class SagaStatusLookup(SagaStatusStore store) : ISagaLookup
{
    public async Task<SagaSnapshot?> FindAsync(Guid correlationId, IReadOnlyList<string> messageTypes, CancellationToken cancellationToken)
    {
        IReadOnlyList<SagaStatusRow> rows;
        try
        {
            rows = await store.FindAsync(correlationId, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Database not migrated to the saga views yet: errors show still works, without the saga.
            return null;
        }
        // The view cannot tell which saga type a message type belongs to; ids are unique per saga in practice.
        return rows.Count == 0 ? null : new SagaSnapshot(rows[0].SagaType, rows[0].CorrelationId, rows[0].CurrentState, rows[0].UpdatedAt,
            new Dictionary<string, string?>
            {
                ["business_key"] = rows[0].BusinessKey,
                ["state_since"] = rows[0].StateSince?.ToString("O"),
                ["attempts"] = rows[0].Attempts?.ToString(),
                ["last_error"] = rows[0].LastError,
            });
    }
}
