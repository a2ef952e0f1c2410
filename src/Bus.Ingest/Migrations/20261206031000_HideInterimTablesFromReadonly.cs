using Bus.Ingest.Data;
using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// bus_readonly is for watching workflows (saga tables, status views), not for reading deposits: the interim
/// tables hold bag text (titles, descriptions, every path and digest) and Unpack's checkpoint holds kept tag
/// file bytes, so their SELECT, which the schema's default privileges had given, is revoked. The item locks
/// stay readable (which workflow holds which object), now by an explicit grant since operations'
/// ReadonlyRoleNoDefaultSelect no longer grants new tables by default.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261206031000_HideInterimTablesFromReadonly")]
public sealed class HideInterimTablesFromReadonly : Migration
{
    public const string WorkingTables = "bus.ingest_bags, bus.ingest_files, bus.ingest_unpack_checkpoints, bus.ingest_copy_reads, bus.ingest_copy_uploads";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(SagaStatusViews.EnsureReadonlyRoleSql);
        migrationBuilder.Sql($"""
            REVOKE ALL ON {WorkingTables} FROM {SagaStatusViews.ReadonlyRole};
            GRANT SELECT ON bus.item_locks TO {SagaStatusViews.ReadonlyRole};
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"GRANT SELECT ON {WorkingTables} TO {SagaStatusViews.ReadonlyRole};");
}
