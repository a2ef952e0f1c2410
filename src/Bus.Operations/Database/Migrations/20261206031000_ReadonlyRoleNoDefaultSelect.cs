using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Operations.Database.Migrations;

/// <summary>
/// New tables in schema bus are no longer readable by bus_readonly by default: a module's working table
/// (interim rows with bag text, checkpoints, message bodies) would otherwise be exposed the moment it is
/// created. Saga tables and their status views are granted one by one by
/// <see cref="SagaStatusViews.CreateSagaStatusView"/>; existing working tables are revoked by their own
/// module's migration (ingest: HideInterimTablesFromReadonly).
/// </summary>
[DbContext(typeof(OperationsDbContext))]
[Migration("20261206031000_ReadonlyRoleNoDefaultSelect")]
public sealed class ReadonlyRoleNoDefaultSelect : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"ALTER DEFAULT PRIVILEGES IN SCHEMA bus REVOKE SELECT ON TABLES FROM {SagaStatusViews.ReadonlyRole};");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"ALTER DEFAULT PRIVILEGES IN SCHEMA bus GRANT SELECT ON TABLES TO {SagaStatusViews.ReadonlyRole};");
}
