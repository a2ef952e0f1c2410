using NpgsqlTypes;

namespace Bus.Registry.Store;

// What the fixity sweep and the fixity saga read and write.
public sealed partial class RegistryStore
{
    /// <summary>
    /// Active copies due for a check (last checked, or stored when never checked, before
    /// <paramref name="checkedBefore"/>), oldest first. Read-only: deduplicate downstream (e.g. the
    /// check saga's correlation id from the storage record id), or use <see cref="ClaimDueCopiesAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<DueCopy>> SelectDueCopiesAsync(DateTimeOffset checkedBefore, int limit, CancellationToken cancellationToken = default) =>
        DueCopiesAsync(FixitySweepSql.Select(S), checkedBefore, limit, null, cancellationToken);

    /// <summary>
    /// Selects due copies and leases them for <paramref name="lease"/> so another sweep (another host)
    /// does not pick them again; <see cref="MarkFixityAsync"/> ends the lease. A copy whose check dies
    /// is picked again once the lease runs out. Returned in no particular order.
    /// </summary>
    public Task<IReadOnlyList<DueCopy>> ClaimDueCopiesAsync(DateTimeOffset checkedBefore, int limit, TimeSpan lease, CancellationToken cancellationToken = default) =>
        DueCopiesAsync(FixitySweepSql.Claim(S), checkedBefore, limit, lease, cancellationToken);

    private async Task<IReadOnlyList<DueCopy>> DueCopiesAsync(string sql, DateTimeOffset checkedBefore, int limit, TimeSpan? lease, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        command.Parameters.AddWithValue("checked_before", Utc(checkedBefore));
        command.Parameters.AddWithValue("limit", limit);
        if (lease is { } l) command.Parameters.AddWithValue("lease", NpgsqlDbType.Interval, l);
        var rows = new List<DueCopy>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new DueCopy(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        return rows;
    }

    /// <summary>Records a check's outcome on the copy (success or failure) and releases its sweep lease.</summary>
    public async Task<bool> MarkFixityAsync(long storageRecordId, DateTimeOffset checkedAt, string outcome, CancellationToken cancellationToken = default)
    {
        if (outcome is not (Model.Outcomes.Success or Model.Outcomes.Failure))
            throw new ArgumentException($"unknown outcome '{outcome}': expected success or failure", nameof(outcome));
        await using var command = Command($"""
            UPDATE {S}.storage_records
            SET last_fixity_at = @at, last_fixity_outcome = @outcome, fixity_claimed_until = NULL
            WHERE id = @id
            """);
        command.Parameters.AddWithValue("at", Utc(checkedAt));
        command.Parameters.AddWithValue("outcome", outcome);
        command.Parameters.AddWithValue("id", storageRecordId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
