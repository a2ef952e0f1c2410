using Bus.Deletion.Data;
using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Deletion.Migrations;

/// <summary>
/// bus.saga_status_deletion for the admin views (SagaStatusViews). Created here, not in operations,
/// because operations migrates before this module creates bus.deletion_requests.
/// Faulted is not terminal: the item stays locked until a replay completes the deletion.
/// last_error is the step's fault, else the latest refusal.
/// </summary>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261122050000_AddSagaStatusView")]
public sealed class AddSagaStatusView : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateSagaStatusView("deletion", "deletion_requests", $"""
            SELECT 'deletion'::text AS saga_type, s.correlation_id, s.identifier::text AS business_key,
                   s.current_state, {SagaStatusViews.StateSinceSql("DeletionState", "s")} AS state_since,
                   s.updated_at, NULL::integer AS attempts,
                   coalesce(s.fault_reason, s.refusal_code || ': ' || s.refusal_reason) AS last_error,
                   s.current_state IN ('Completed', 'Rejected', 'Cancelled', 'Expired', 'Refused', 'Final') AS terminal
              FROM bus.deletion_requests s
            """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropSagaStatusView("deletion");
}
