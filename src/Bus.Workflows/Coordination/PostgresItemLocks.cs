using Npgsql;

namespace Bus.Workflows.Coordination;

/// <summary>
/// <see cref="IItemLocks"/> as rows of <c>bus.item_locks</c> (primary key: the object identifier), so
/// two processes racing for one object are serialised by the primary key, not by a read-then-write.
/// </summary>
public sealed class PostgresItemLocks(NpgsqlDataSource dataSource) : IItemLocks
{
    /// <summary>
    /// Idempotent DDL: every module whose workflow takes locks runs it from its own migration, so the
    /// table exists whichever module is migrated first and no module depends on another's migrations.
    /// </summary>
    public const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS bus.item_locks (
            object_identifier text PRIMARY KEY,
            kind              text NOT NULL,
            owner             uuid NOT NULL,
            since             timestamptz NOT NULL DEFAULT now()
        );
        """;

    public async Task<ItemLockResult> TryAcquireAsync(string objectIdentifier, string kind, Guid owner, CancellationToken cancellationToken = default)
    {
        // The no-op update on conflict makes RETURNING yield the current holder in the same statement.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO bus.item_locks AS l (object_identifier, kind, owner) VALUES (@id, @kind, @owner)
            ON CONFLICT (object_identifier) DO UPDATE SET kind = l.kind
            RETURNING kind, owner, since
            """);
        command.Parameters.AddWithValue("id", objectIdentifier);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("owner", owner);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var holder = new ItemLock(objectIdentifier, reader.GetString(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2));
        return new ItemLockResult(holder.Owner == owner, holder);
    }

    public async Task ReleaseAsync(string objectIdentifier, Guid owner, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM bus.item_locks WHERE object_identifier = @id AND owner = @owner");
        command.Parameters.AddWithValue("id", objectIdentifier);
        command.Parameters.AddWithValue("owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ItemLock?> FindAsync(string objectIdentifier, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT kind, owner, since FROM bus.item_locks WHERE object_identifier = @id");
        command.Parameters.AddWithValue("id", objectIdentifier);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ItemLock(objectIdentifier, reader.GetString(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }
}
