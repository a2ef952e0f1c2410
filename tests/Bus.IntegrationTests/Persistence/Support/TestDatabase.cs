using Bus.Persistence.Database;
using Bus.Persistence.Sagas;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>The shared local PostgreSQL: migrated once per test run, plus the tables only tests use.</summary>
public static class TestDatabase
{
    public static readonly string ConnectionString = new PostgresOptions().ConnectionString;
    /// <summary>The owner role, for the tables only tests use (the runtime role may not create or alter tables).</summary>
    private static readonly string OwnerConnectionString = new PostgresOptions().MigrationConnectionString;
    private static readonly Lazy<Task> Ready = new(PrepareAsync);

    public static Task EnsureReadyAsync() => Ready.Value;

    private static async Task PrepareAsync()
    {
        await new PersistenceDatabaseModule(Options.Create(new PostgresOptions())).MigrateAsync(CancellationToken.None);
        await ExecuteAsync(OwnerConnectionString, SagaTableMigrations.CreateSagaTableSql(ConformanceStateMap.Table,
            ("counter", "integer NOT NULL DEFAULT 0"), ("timeout_token_id", "uuid"), ("batch", "uuid")));
        // Tables created by earlier runs of this suite predate the column.
        await ExecuteAsync(OwnerConnectionString, $"ALTER TABLE bus.{ConformanceStateMap.Table} ADD COLUMN IF NOT EXISTS batch uuid");
        await ExecuteAsync(OwnerConnectionString, """
            CREATE TABLE IF NOT EXISTS bus.persistence_test_effects (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind text NOT NULL,
                key uuid NOT NULL,
                message_id uuid,
                redelivery_count integer NOT NULL DEFAULT 0,
                recorded_at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE INDEX IF NOT EXISTS ix_persistence_test_effects_key ON bus.persistence_test_effects (key);
            """);
    }

    public static Task ExecuteAsync(string sql) => ExecuteAsync(ConnectionString, sql);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    public static async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        (await QueryAsync(sql, r => r.GetInt64(0), parameters)).Single();

    public static Task<long> EffectsAsync(string kind, Guid key) =>
        CountAsync("SELECT count(*) FROM bus.persistence_test_effects WHERE kind = @k AND key = @key", ("k", kind), ("key", key));
}
