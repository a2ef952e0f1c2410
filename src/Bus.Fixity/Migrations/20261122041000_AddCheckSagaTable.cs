using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>The check saga's table in schema bus (columns as FixityCheckStateMap maps them, snake_case).</summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261122041000_AddCheckSagaTable")]
public sealed class AddCheckSagaTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateSagaTable("fixity_check_saga",
            ("check_id", "uuid NOT NULL"),
            ("storage_record_id", "bigint NOT NULL"),
            ("requested_by", "text NOT NULL"),
            ("requested_at", "timestamptz NOT NULL"),
            ("file_identifier", "text"),
            ("bucket", "text"),
            ("condition", "text"),
            ("detail", "text"),
            ("repair_source", "text"),
            ("failure_reason", "text"));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropSagaTable("fixity_check_saga");
}
