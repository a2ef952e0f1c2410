using Bus.Deletion.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Deletion.Migrations;

/// <summary>
/// At most one open deletion request per object, decided by the database: two requests arriving together while a
/// restore holds the item lock (accepted without the lock) both passed the read-then-write check for another open
/// request. The loser's insert fails with 23505, the saga endpoint retries the message, and the retry meets the
/// winner's row and is refused work-in-progress exactly as a request made after it. The states are
/// <see cref="DeletionRecord.OpenStates"/>.
/// </summary>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261206152000_OneOpenDeletionPerObject")]
public sealed class OneOpenDeletionPerObject : Migration
{
    public const string IndexName = "ux_deletion_requests_one_open_per_object";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            CREATE UNIQUE INDEX IF NOT EXISTS {IndexName} ON bus.deletion_requests (object_identifier)
                WHERE current_state IN ('PendingApproval', 'WaitingForItem', 'Deleting', 'Faulted');
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"DROP INDEX IF EXISTS bus.{IndexName};");
}
