using Bus.Restore.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Restore.Migrations;

/// <summary>
/// The index the spot-test sweep reads each institution's oldest active object from (SpotTestSweep): active objects by
/// (institution, created_at), so a sweep reads one index entry per institution instead of every active object.
/// </summary>
[DbContext(typeof(RestoreDbContext))]
[Migration("20261206180000_IndexOldestActiveObjectPerInstitution")]
public sealed class IndexOldestActiveObjectPerInstitution : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE INDEX IF NOT EXISTS intellectual_objects_active_institution_created ON registry.intellectual_objects (institution, created_at) WHERE state = 'active';
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP INDEX IF EXISTS registry.intellectual_objects_active_institution_created;
        """);
}
