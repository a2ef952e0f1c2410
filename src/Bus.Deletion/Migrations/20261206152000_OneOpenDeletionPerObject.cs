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
/// <remarks>
/// A database that met that race already holds two open requests for one object, and the unique index cannot be built
/// there. So the migration first closes the duplicates: the most advanced open request of an object stays (Deleting, then
/// Faulted, then approved and WaitingForItem, then PendingApproval; the oldest among equals), since a request that is
/// deleting holds the item lock and may have removed copies already; every other one is Cancelled with <see cref="SupersededComment"/> (a transition is recorded, an item lock it held is released). This was
/// added after the migration had shipped: where the index was built there were no duplicates, and the UPDATE changes nothing.
/// </remarks>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261206152000_OneOpenDeletionPerObject")]
public sealed class OneOpenDeletionPerObject : Migration
{
    public const string IndexName = "ux_deletion_requests_one_open_per_object";
    public const string SupersededComment = "superseded: duplicate open request found at upgrade";
    public const string SupersededBy = "upgrade";

    /// <summary>The Up, on the tables of <paramref name="schema"/> (a test runs it on copies in a throwaway schema).</summary>
    public static string UpSql(string schema) => $"""
        WITH open AS (
            SELECT correlation_id, current_state,
                   row_number() OVER (PARTITION BY object_identifier
                       ORDER BY CASE current_state WHEN 'Deleting' THEN 0 WHEN 'Faulted' THEN 1 WHEN 'WaitingForItem' THEN 2 ELSE 3 END,
                                requested_at, created_at, correlation_id) AS rank
            FROM {schema}.deletion_requests
            WHERE current_state IN ('PendingApproval', 'WaitingForItem', 'Deleting', 'Faulted')),
        closed AS (
            UPDATE {schema}.deletion_requests d
            SET current_state = 'Cancelled', decided_by = '{SupersededBy}', decided_at = now(), decision_comment = '{SupersededComment}',
                updated_at = now()
            FROM open
            WHERE d.correlation_id = open.correlation_id AND open.rank > 1
            RETURNING d.correlation_id, open.current_state AS from_state),
        recorded AS (
            INSERT INTO {schema}.saga_transitions (saga_type, correlation_id, from_state, to_state, event, host)
            SELECT 'DeletionState', correlation_id, from_state, 'Cancelled', 'SupersededAtUpgrade', 'migration' FROM closed)
        DELETE FROM {schema}.item_locks WHERE owner IN (SELECT correlation_id FROM closed);

        CREATE UNIQUE INDEX IF NOT EXISTS {IndexName} ON {schema}.deletion_requests (object_identifier)
            WHERE current_state IN ('PendingApproval', 'WaitingForItem', 'Deleting', 'Faulted');
        """;

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(UpSql("bus"));

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"DROP INDEX IF EXISTS bus.{IndexName};");
}
