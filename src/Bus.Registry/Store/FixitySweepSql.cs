namespace Bus.Registry.Store;

/// <summary>
/// The fixity sweep's selection, shared by <see cref="RegistryStore"/> and the fixity-sweep benchmark
/// so the figure in docs/benchmarks.md is for the query production runs. Its WHERE and ORDER BY match
/// the partial expression index <c>storage_records_fixity_due</c> exactly: that is what makes it an
/// index range scan that stops after LIMIT rows.
/// </summary>
public static class FixitySweepSql
{
    /// <summary>Active copies last checked (or stored, if never checked) before @checked_before, oldest first. No locks taken.</summary>
    public static string Select(string schema) => $"""
        SELECT s.id, s.file_id, f.identifier, s.bucket, s.key, coalesce(s.last_fixity_at, s.stored_at) AS due_since
        FROM {schema}.storage_records s
        JOIN {schema}.generic_files f ON f.id = s.file_id
        WHERE s.state = 'active' AND coalesce(s.last_fixity_at, s.stored_at) < @checked_before
        ORDER BY coalesce(s.last_fixity_at, s.stored_at), s.id
        LIMIT @limit
        """;

    /// <summary>
    /// Like <see cref="Select"/> but takes a lease on each copy returned: concurrent sweeps skip rows
    /// another sweep holds (SKIP LOCKED) or has leased, so two hosts never queue the same copy.
    /// </summary>
    public static string Claim(string schema) => $"""
        WITH due AS (
            SELECT s.id
            FROM {schema}.storage_records s
            WHERE s.state = 'active' AND coalesce(s.last_fixity_at, s.stored_at) < @checked_before
              AND (s.fixity_claimed_until IS NULL OR s.fixity_claimed_until < now())
            ORDER BY coalesce(s.last_fixity_at, s.stored_at), s.id
            LIMIT @limit
            FOR UPDATE OF s SKIP LOCKED
        )
        UPDATE {schema}.storage_records s SET fixity_claimed_until = now() + @lease
        FROM due, {schema}.generic_files f
        WHERE s.id = due.id AND f.id = s.file_id
        RETURNING s.id, s.file_id, f.identifier, s.bucket, s.key, coalesce(s.last_fixity_at, s.stored_at) AS due_since
        """;
}
