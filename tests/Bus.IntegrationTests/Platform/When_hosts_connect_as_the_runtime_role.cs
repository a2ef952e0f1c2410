using Bus.Platform.Database;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.IntegrationTests.Platform;

/// <summary>
/// Hosts and busctl connect as the runtime role (Bus:Postgres:ConnectionString), which may read and write rows and
/// nothing more: it creates no role, schema or table, alters or drops no Bus table and edits no migration history.
/// The owner role (Bus:Postgres:MigrationConnectionString) migrates, and its default privileges cover tables a later
/// migration creates. Expects the stack migrated (busctl db migrate).
/// </summary>
public sealed class When_hosts_connect_as_the_runtime_role
{
    private static readonly PostgresOptions Options = new();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task The_runtime_role_owns_nothing_and_has_no_role_or_database_rights()
    {
        await using var owner = await OpenAsync(Options.MigrationConnectionString);
        Assert.Empty(await RuntimeRoleGrants.ExcessRightsAsync(owner, Options.RuntimeRole, CancellationToken.None));
    }

    [Theory]
    [InlineData("CREATE ROLE lp_probe_{tag} LOGIN")]
    [InlineData("CREATE SCHEMA lp_probe_{tag}")]
    [InlineData("CREATE TABLE bus.lp_probe_{tag} (x int)")]
    [InlineData("DROP TABLE bus.ingest_saga")]
    [InlineData("ALTER TABLE registry.institutions ADD COLUMN lp_probe_{tag} int")]
    [InlineData("CREATE INDEX lp_probe_{tag} ON bus.deletion_requests (current_state)")]
    [InlineData("TRUNCATE bus.saga_transitions")]
    [InlineData("DROP VIEW bus.saga_status")]
    [InlineData("DELETE FROM bus.__ef_migrations_registry WHERE false")]
    public async Task The_runtime_role_cannot_change_the_schema_or_the_roles(string sql)
    {
        await using var runtime = await OpenAsync(Options.ConnectionString);
        await using var command = new NpgsqlCommand(sql.Replace("{tag}", _tag, StringComparison.Ordinal), runtime);
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Fact]
    public async Task A_table_a_later_migration_creates_is_usable_by_the_runtime_role_without_another_grant()
    {
        var table = $"bus.lp_probe_{_tag}";
        await using var owner = await OpenAsync(Options.MigrationConnectionString);
        await ExecuteAsync(owner, $"CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)");
        try
        {
            await using var runtime = await OpenAsync(Options.ConnectionString);
            await ExecuteAsync(runtime, $"INSERT INTO {table} (note) VALUES ('a'); UPDATE {table} SET note = 'b'; DELETE FROM {table}");
            var drop = new NpgsqlCommand($"DROP TABLE {table}", runtime);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => drop.ExecuteNonQueryAsync())).SqlState);
        }
        finally
        {
            await ExecuteAsync(owner, $"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task A_migration_run_grants_again_without_changing_anything_and_reports_no_excess_rights()
    {
        var warnings = await RuntimeRoleGrants.ApplyAsync(Options, CancellationToken.None);
        Assert.Empty(warnings);
        await using var runtime = await OpenAsync(Options.ConnectionString);
        await using var read = new NpgsqlCommand("SELECT count(*) FROM bus.__ef_migrations_registry", runtime);
        Assert.True((long)(await read.ExecuteScalarAsync())! > 0);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
