using Bus.Platform;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.IntegrationTests.Registry;

/// <summary>
/// The shared local PostgreSQL, migrated once per test run. Other engineers' tests use the same
/// tables concurrently: every test works under its own institution and removes its rows afterwards.
/// </summary>
internal static class RegistryTestDatabase
{
    public static readonly string ConnectionString =
        BusConfiguration.Build().GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString
        ?? new PostgresOptions().ConnectionString;

    /// <summary>The owner role (migrations, throwaway schemas): the runtime role may not create schemas.</summary>
    public static readonly string OwnerConnectionString =
        BusConfiguration.Build().GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.MigrationConnectionString
        ?? new PostgresOptions().MigrationConnectionString;

    private static readonly Lazy<Task> Migrated = new(() =>
        new RegistryDatabaseModule(Microsoft.Extensions.Options.Options.Create(new PostgresOptions { ConnectionString = ConnectionString, MigrationConnectionString = OwnerConnectionString }))
            .MigrateAsync(CancellationToken.None));

    public static Task EnsureMigratedAsync() => Migrated.Value;

    public static async Task<NpgsqlConnection> OpenAsync()
    {
        await EnsureMigratedAsync();
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<NpgsqlConnection> OpenOwnerAsync()
    {
        await EnsureMigratedAsync();
        var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}

/// <summary>An institution unique to one test, with helpers to register content; disposing deletes everything under it.</summary>
internal sealed class TestInstitution : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; }
    public RegistryStore Store { get; }
    public string Identifier { get; }

    private TestInstitution(NpgsqlConnection connection, string identifier)
    {
        Connection = connection;
        Store = new RegistryStore(connection);
        Identifier = identifier;
    }

    public static async Task<TestInstitution> CreateAsync()
    {
        var connection = await RegistryTestDatabase.OpenAsync();
        var institution = new TestInstitution(connection, $"t{Guid.NewGuid():N}"[..13] + ".test.edu");
        await institution.Store.EnsureInstitutionAsync(institution.Identifier, "Registry test");
        return institution;
    }

    public ObjectRecord Bag(string bagName, Guid? ingestId = null) =>
        new(Identifier, bagName, $"Title of {bagName}", null, Access.Institution, "Standard", "aptrust", ingestId ?? Guid.NewGuid());

    public FileRecord File(string objectIdentifier, string path, long size = 10) =>
        new(Guid.NewGuid(), Identifiers.ForFile(objectIdentifier, path), size, "text/plain", FormatMethods.Extension);

    public Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        RegistryTestDatabase.ScalarAsync(Connection, sql, parameters);

    public async ValueTask DisposeAsync()
    {
        // Children first (foreign keys); only rows under this test's institution.
        const string objects = "SELECT id FROM registry.intellectual_objects WHERE institution = @i";
        const string files = $"SELECT id FROM registry.generic_files WHERE object_id IN ({objects})";
        await using var command = new NpgsqlCommand($"""
            DELETE FROM registry.alerts WHERE object_id IN ({objects}) OR file_id IN ({files}) OR identifier = @i OR identifier LIKE @i || '/%';
            DELETE FROM registry.premis_events WHERE object_id IN ({objects});
            DELETE FROM registry.checksums WHERE file_id IN ({files});
            DELETE FROM registry.storage_records WHERE file_id IN ({files});
            DELETE FROM registry.generic_files WHERE object_id IN ({objects});
            DELETE FROM registry.intellectual_objects WHERE institution = @i;
            DELETE FROM registry.api_tokens WHERE email IN (SELECT email FROM registry.users WHERE institution = @i);
            DELETE FROM registry.users WHERE institution = @i;
            DELETE FROM registry.institutions WHERE identifier = @i;
            """, Connection);
        command.Parameters.AddWithValue("i", Identifier);
        await command.ExecuteNonQueryAsync();
        await Connection.DisposeAsync();
    }
}
