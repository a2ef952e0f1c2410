using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>
/// bus.saga_status_fixity for the admin views (SagaStatusViews). Created here, not in operations,
/// because operations migrates before this module creates bus.fixity_check_saga.
/// A finalized check's row is deleted, so only Verifying, Repairing and Faulted rows exist; Faulted is
/// terminal for that check (FixityCheckCompleted "failed" was published, the next sweep starts a new one).
/// The file identifier is only known after the first read, hence the storage record fallback.
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261122050000_AddSagaStatusView")]
public sealed class AddSagaStatusView : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateSagaStatusView("fixity", "fixity_check_saga", $"""
            SELECT 'fixity'::text AS saga_type, s.correlation_id,
                   coalesce(s.file_identifier, 'storage record ' || s.storage_record_id)::text AS business_key,
                   s.current_state, {SagaStatusViews.StateSinceSql("FixityCheckState", "s")} AS state_since,
                   s.updated_at, NULL::integer AS attempts, s.failure_reason AS last_error,
                   s.current_state IN ('Faulted', 'Final') AS terminal
              FROM bus.fixity_check_saga s
            """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropSagaStatusView("fixity");
}
