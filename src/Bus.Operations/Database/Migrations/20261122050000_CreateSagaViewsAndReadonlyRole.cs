using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Operations.Database.Migrations;

/// <summary>
/// The bus_readonly role and the (so far empty) bus.saga_status / bus.saga_stuck views. The per-type
/// views come from each saga module's own migration (they migrate after this one), which rebuilds the
/// union through SagaStatusViews. Default privileges make every table the bus role creates later
/// (a new saga type's table) readable by bus_readonly without another grant here.
/// </summary>
[DbContext(typeof(OperationsDbContext))]
[Migration("20261122050000_CreateSagaViewsAndReadonlyRole")]
public sealed class CreateSagaViewsAndReadonlyRole : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(SagaStatusViews.EnsureReadonlyRoleSql);
        migrationBuilder.Sql($"ALTER DEFAULT PRIVILEGES IN SCHEMA bus GRANT SELECT ON TABLES TO {SagaStatusViews.ReadonlyRole};");
        migrationBuilder.RecreateSagaStatus();
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            DROP VIEW IF EXISTS bus.saga_stuck;
            DROP FUNCTION IF EXISTS bus.saga_stuck(interval);
            DROP VIEW IF EXISTS bus.saga_status;
            ALTER DEFAULT PRIVILEGES IN SCHEMA bus REVOKE SELECT ON TABLES FROM {SagaStatusViews.ReadonlyRole};
            """);
}
