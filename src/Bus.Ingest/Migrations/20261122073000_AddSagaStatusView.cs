using Bus.Ingest.Data;
using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// bus.saga_status_ingest for the admin views (SagaStatusViews; created here because operations
/// migrates before this module's saga table exists). business_key is the object identifier once
/// Unpack named the bag, else the receiving object; attempts are the current (or parked) step's;
/// last_error starts with the step (a Faulted ingest's parked step). Faulted and WaitingForItem are not
/// terminal: a Faulted ingest holds its item lock until it is replayed or cancelled.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122073000_AddSagaStatusView")]
public sealed class AddSagaStatusView : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateSagaStatusView("ingest", "ingest_saga", $"""
            SELECT 'ingest'::text AS saga_type, s.correlation_id,
                   coalesce(s.object_identifier, s.institution || '/' || s.bag_name, s.bucket || '/' || s.key)::text AS business_key,
                   s.current_state, {SagaStatusViews.StateSinceSql("IngestState", "s")} AS state_since,
                   s.updated_at,
                   (CASE WHEN s.current_state = 'WaitingForItem' THEN s.item_lock_waits
                         ELSE CASE s.current_step
                             WHEN 'unpack' THEN s.unpack_attempts WHEN 'validate' THEN s.validate_attempts
                             WHEN 'identify' THEN s.identify_attempts WHEN 'store' THEN s.store_attempts
                             WHEN 'verify' THEN s.verify_attempts WHEN 'record' THEN s.record_attempts
                             WHEN 'cleanup' THEN s.clean_up_attempts END END)::integer AS attempts,
                   s.last_error::text AS last_error,
                   s.current_state IN ('Completed', 'Rejected', 'Failed', 'Cancelled') AS terminal
              FROM bus.ingest_saga s
            """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropSagaStatusView("ingest");
}
