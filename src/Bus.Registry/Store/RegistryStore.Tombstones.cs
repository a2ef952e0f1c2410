namespace Bus.Registry.Store;

// Deletion marks rows deleted; it never removes them (PREMIS history and checksums are kept).
public sealed partial class RegistryStore
{
    /// <summary>
    /// Marks the object, every file of it and every copy deleted at <paramref name="deletedAt"/>.
    /// Call only after every copy has been removed from storage. Repeating it keeps the first deleted_at.
    /// </summary>
    public async Task<TombstoneResult> TombstoneObjectAsync(string objectIdentifier, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            WITH o AS (
                UPDATE {S}.intellectual_objects SET state = 'deleted', deleted_at = @at, updated_at = now()
                WHERE identifier = @identifier AND state = 'active' RETURNING id
            ), target AS (
                SELECT id FROM {S}.intellectual_objects WHERE identifier = @identifier
            ), f AS (
                UPDATE {S}.generic_files SET state = 'deleted', deleted_at = @at, updated_at = now()
                WHERE object_id = (SELECT id FROM target) AND state = 'active' RETURNING id
            ), s AS (
                UPDATE {S}.storage_records SET state = 'deleted', deleted_at = @at, fixity_claimed_until = NULL
                WHERE file_id IN (SELECT id FROM {S}.generic_files WHERE object_id = (SELECT id FROM target)) AND state = 'active'
                RETURNING id
            )
            SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM f), (SELECT count(*) FROM s)
            """);
        return await TombstoneAsync(command, objectIdentifier, deletedAt, cancellationToken);
    }

    /// <summary>Marks one file and its copies deleted (a file-level deletion); the object stays active.</summary>
    public async Task<TombstoneResult> TombstoneFileAsync(string fileIdentifier, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            WITH target AS (
                SELECT id FROM {S}.generic_files WHERE identifier = @identifier
            ), f AS (
                UPDATE {S}.generic_files SET state = 'deleted', deleted_at = @at, updated_at = now()
                WHERE id = (SELECT id FROM target) AND state = 'active' RETURNING id
            ), s AS (
                UPDATE {S}.storage_records SET state = 'deleted', deleted_at = @at, fixity_claimed_until = NULL
                WHERE file_id = (SELECT id FROM target) AND state = 'active' RETURNING id
            )
            SELECT 0::bigint, (SELECT count(*) FROM f), (SELECT count(*) FROM s)
            """);
        return await TombstoneAsync(command, fileIdentifier, deletedAt, cancellationToken);
    }

    private static async Task<TombstoneResult> TombstoneAsync(Npgsql.NpgsqlCommand command, string identifier, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        command.Parameters.AddWithValue("identifier", identifier);
        command.Parameters.AddWithValue("at", Utc(deletedAt));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TombstoneResult((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }
}
