using Bus.Restore.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Restore.Migrations;

/// <summary>
/// The spot test's restore timeout: the token of its scheduled <c>SpotTestRestoreTimedOut</c> (unscheduled when the
/// restore ends). And the index the spot test pick samples from: active objects by (institution, id), so the ends of an
/// institution's id range and the objects after a point are index reads, not a scan of its objects.
/// </summary>
[DbContext(typeof(RestoreDbContext))]
[Migration("20261206155000_AddSpotTestTimeout")]
public sealed class AddSpotTestTimeout : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.spot_test_saga ADD COLUMN IF NOT EXISTS timeout_token_id uuid;
        CREATE INDEX IF NOT EXISTS intellectual_objects_active_institution_id ON registry.intellectual_objects (institution, id) WHERE state = 'active';
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP INDEX IF EXISTS registry.intellectual_objects_active_institution_id;
        ALTER TABLE bus.spot_test_saga DROP COLUMN IF EXISTS timeout_token_id;
        """);
}
