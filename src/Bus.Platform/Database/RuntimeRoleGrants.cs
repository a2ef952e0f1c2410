using Bus.Platform.Options;
using Npgsql;

namespace Bus.Platform.Database;

/// <summary>
/// What the runtime role (the user of <c>Bus:Postgres:ConnectionString</c>) may do, granted by the owner role
/// (<c>Bus:Postgres:MigrationConnectionString</c>) around every migration run: use every schema the owner owns,
/// read and write rows (SELECT, INSERT, UPDATE, DELETE: COPY FROM needs only INSERT), use sequences, execute
/// functions; no TRUNCATE, REFERENCES or TRIGGER, no DDL, and only SELECT on the migration history tables.
/// Default privileges give the same on schemas, tables, sequences and functions the owner creates later, so a new
/// module's tables are covered even by a migration run that never reaches <see cref="ApplyAsync"/> (a test's own).
/// Idempotent: granting twice changes nothing. See docs/security.md.
/// </summary>
public static class RuntimeRoleGrants
{
    private const string Dml = "SELECT, INSERT, UPDATE, DELETE";

    /// <summary>The transaction-scoped advisory lock that serialises grant runs (any fixed number no other lock uses).</summary>
    private const long GrantsLockKey = 0x6275_7367_7261_6e74; // "busgrant"

    /// <summary>Grants, then returns warnings about rights the runtime role holds that it should not (for the operator to revoke).</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(PostgresOptions options, CancellationToken cancellationToken)
    {
        var runtime = options.RuntimeRole;
        var builder = new NpgsqlConnectionStringBuilder(options.MigrationConnectionString) { Pooling = false };
        if (string.Equals(builder.Username, runtime, StringComparison.Ordinal)) return [];
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Hosts that migrate at start-up at the same moment would update the same catalog rows at once, and PostgreSQL
        // fails the second GRANT with "tuple concurrently updated": one grant run at a time, until this transaction ends.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({GrantsLockKey})", cancellationToken);
        var role = Quote(runtime);

        await ExecuteAsync(connection, $"""
            ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {role};
            ALTER DEFAULT PRIVILEGES GRANT {Dml} ON TABLES TO {role};
            ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
            ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO {role};
            """, cancellationToken);
        foreach (var schema in await OwnedSchemasAsync(connection, cancellationToken))
        {
            var s = Quote(schema);
            await ExecuteAsync(connection, $"""
                GRANT USAGE ON SCHEMA {s} TO {role};
                GRANT {Dml} ON ALL TABLES IN SCHEMA {s} TO {role};
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {role};
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {role};
                """, cancellationToken);
        }
        // The history tables say which migrations ran: the runtime role may read them (busctl db pending), never edit them.
        foreach (var table in await HistoryTablesAsync(connection, cancellationToken))
            await ExecuteAsync(connection, $"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {role}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ExcessRightsAsync(connection, runtime, cancellationToken);
    }

    /// <summary>Rights the runtime role should not have: only a superuser can take them away, so they are reported, not revoked.</summary>
    public static async Task<IReadOnlyList<string>> ExcessRightsAsync(NpgsqlConnection connection, string runtime, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,
                   (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_namespace n WHERE n.nspowner = r.oid),
                   (SELECT d.datdba = r.oid FROM pg_database d WHERE d.datname = current_database())
            FROM pg_roles r WHERE r.rolname = @role
            """, connection);
        command.Parameters.AddWithValue("role", runtime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return [$"runtime role '{runtime}' does not exist"];
        var warnings = new List<string>();
        if (reader.GetBoolean(0)) warnings.Add($"runtime role '{runtime}' is a superuser: ALTER ROLE {runtime} NOSUPERUSER");
        if (reader.GetBoolean(1)) warnings.Add($"runtime role '{runtime}' has CREATEROLE: ALTER ROLE {runtime} NOCREATEROLE");
        if (reader.GetBoolean(2)) warnings.Add($"runtime role '{runtime}' has CREATEDB: ALTER ROLE {runtime} NOCREATEDB");
        if (!reader.IsDBNull(3)) warnings.Add($"runtime role '{runtime}' owns schema(s) {reader.GetString(3)}: REASSIGN OWNED BY {runtime} TO <owner role> (docs/security.md)");
        if (!reader.IsDBNull(4) && reader.GetBoolean(4)) warnings.Add($"runtime role '{runtime}' owns the database: ALTER DATABASE ... OWNER TO <owner role>");
        return warnings;
    }

    private static async Task<List<string>> OwnedSchemasAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) " +
            "AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname", connection);
        var schemas = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) schemas.Add(reader.GetString(0));
        return schemas;
    }

    private static async Task<List<string>> HistoryTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE c.relkind = 'r' AND (c.relname LIKE '\\_\\_ef\\_migrations\\_%' OR c.relname = '__EFMigrationsHistory') " +
            "AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)", connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) tables.Add(reader.GetString(0));
        return tables;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
