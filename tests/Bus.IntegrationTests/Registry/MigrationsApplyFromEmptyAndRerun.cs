using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Migrations;
using Npgsql;

namespace Bus.IntegrationTests.Registry;

public sealed class MigrationsApplyFromEmptyAndRerun
{
    private static readonly string[] Tables =
        ["alerts", "checksums", "generic_files", "institutions", "intellectual_objects", "premis_events", "storage_records", "users"];

    [Fact]
    public async Task Migrating_twice_leaves_nothing_pending_and_every_table_present()
    {
        var module = new RegistryDatabaseModule(Microsoft.Extensions.Options.Options.Create(new PostgresOptions
        {
            ConnectionString = RegistryTestDatabase.ConnectionString, MigrationConnectionString = RegistryTestDatabase.OwnerConnectionString,
        }));
        await module.MigrateAsync(CancellationToken.None);
        await module.MigrateAsync(CancellationToken.None);

        Assert.Empty(await module.PendingMigrationsAsync(CancellationToken.None));
        await using var connection = await RegistryTestDatabase.OpenAsync();
        // The migrations add api_tokens (AddApiTokens) to the tables of the first schema.
        Assert.Equal([.. Tables.Append("api_tokens").Order(StringComparer.Ordinal)], await TablesIn(connection, "registry"));
    }

    // The shared registry schema is never emptied (other engineers' data lives there), so "from empty"
    // runs the migration's SQL in a throwaway schema, then its Down.
    [Fact]
    public async Task Migration_sql_builds_every_table_in_an_empty_schema_and_down_removes_them()
    {
        var schema = $"registry_test_{Guid.NewGuid():N}"[..30];
        await using var connection = await RegistryTestDatabase.OpenOwnerAsync();
        try
        {
            await Execute(connection, RegistrySchemaSql.Create(schema));
            Assert.Equal(Tables, await TablesIn(connection, schema));
            await Execute(connection, RegistrySchemaSql.Drop(schema));
            Assert.Empty(await TablesIn(connection, schema));
        }
        finally
        {
            await Execute(connection, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> TablesIn(NpgsqlConnection connection, string schema)
    {
        await using var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = @s ORDER BY table_name", connection);
        command.Parameters.AddWithValue("s", schema);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
