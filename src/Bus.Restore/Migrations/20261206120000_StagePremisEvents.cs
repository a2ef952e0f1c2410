using Bus.Restore.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Restore.Migrations;

/// <summary>
/// The PREMIS events file of a restore is staged in the restore bucket and planned like a copy (its one candidate),
/// no longer kept inline in its plan row: a plan row holds no file's bytes, whatever the number of events.
/// </summary>
[DbContext(typeof(RestoreDbContext))]
[Migration("20261206120000_StagePremisEvents")]
public sealed class StagePremisEvents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE bus.restore_files DROP COLUMN IF EXISTS content;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE bus.restore_files ADD COLUMN IF NOT EXISTS content bytea;");
}
