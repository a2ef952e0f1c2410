using Bus.Persistence.Sagas;
using Bus.Platform.Database;
using Bus.Restore.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Restore.Migrations;

/// <summary>
/// Restore spot tests: the spot test saga's table (kept after a spot test ends: it is the record of outcomes, with
/// an index for the sweep's "latest per institution"), its admin status view, and the optional destination key a
/// restore request may name (spot tests restore under <c>spot-tests/&lt;institution&gt;/</c>).
/// </summary>
[DbContext(typeof(RestoreDbContext))]
[Migration("20261206121000_AddSpotTests")]
public sealed class AddSpotTests : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE bus.restore_saga ADD COLUMN IF NOT EXISTS destination_key text;");
        migrationBuilder.CreateSagaTable("spot_test_saga",
            ("institution", "text NOT NULL"),
            ("requested_by", "text NOT NULL"),
            ("started_at", "timestamptz NOT NULL"),
            ("object_identifier", "text"),
            ("object_bytes", "bigint"),
            ("restore_bucket", "text"),
            ("restore_key", "text"),
            ("outcome", "text CHECK (outcome IN ('passed', 'failed', 'skipped'))"),
            ("reason", "text"),
            ("finished_at", "timestamptz"));
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS ix_spot_test_saga_institution ON bus.spot_test_saga (institution, started_at DESC, correlation_id DESC);
            CREATE INDEX IF NOT EXISTS ix_spot_test_saga_started ON bus.spot_test_saga (started_at DESC, correlation_id DESC);
            """);
        migrationBuilder.CreateSagaStatusView("spot_test", "spot_test_saga", $"""
            SELECT 'spot-test'::text AS saga_type, s.correlation_id, s.institution || coalesce(' ' || s.object_identifier, '') AS business_key,
                   s.current_state, {SagaStatusViews.StateSinceSql("SpotTestState", "s")} AS state_since,
                   s.updated_at, NULL::integer AS attempts, s.reason AS last_error,
                   s.current_state IN ('Passed', 'Failed', 'Skipped') AS terminal
              FROM bus.spot_test_saga s
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSagaStatusView("spot_test");
        migrationBuilder.DropSagaTable("spot_test_saga");
        migrationBuilder.Sql("ALTER TABLE bus.restore_saga DROP COLUMN IF EXISTS destination_key;");
    }
}
