using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Persistence.Sagas;

/// <summary>What a module's migration calls to create its saga table with the columns every saga table has.</summary>
public static class SagaTableMigrations
{
    /// <summary>
    /// <c>CREATE TABLE IF NOT EXISTS bus.{table}</c> with <c>correlation_id</c> (key), <c>current_state</c>,
    /// <c>created_at</c>, <c>updated_at</c>, then the saga's own columns, e.g.
    /// <c>("bag_name", "text NOT NULL"), ("attempts", "integer NOT NULL DEFAULT 0")</c>; and an index on
    /// <c>current_state</c>, which is what an operator filters on.
    /// </summary>
    public static void CreateSagaTable(this MigrationBuilder migrationBuilder, string table, params (string Column, string Type)[] columns) =>
        migrationBuilder.Sql(CreateSagaTableSql(table, columns));

    internal static string CreateSagaTableSql(string table, params (string Column, string Type)[] columns)
    {
        var extra = string.Concat(columns.Select(c => $",\n    {c.Column} {c.Type}"));
        return $"""
            CREATE TABLE IF NOT EXISTS bus.{table} (
                correlation_id uuid NOT NULL CONSTRAINT pk_{table} PRIMARY KEY,
                current_state text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(){extra});
            CREATE INDEX IF NOT EXISTS ix_{table}_current_state ON bus.{table} (current_state);
            """;
    }

    public static void DropSagaTable(this MigrationBuilder migrationBuilder, string table) =>
        migrationBuilder.Sql($"DROP TABLE IF EXISTS bus.{table};");
}
