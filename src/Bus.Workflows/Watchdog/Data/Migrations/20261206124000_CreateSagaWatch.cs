using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Workflows.Watchdog.Data.Migrations;

/// <summary>
/// bus.saga_watch: one row per saga the watchdog found stalled, for the state it was stalled in: how many times
/// it re-sent the state's step command (bounded by Bus:Watchdog:MaxResends, counted here so a restarted or
/// another watchdog host goes on counting), when it last did, and the stuck-saga alert raised once the
/// re-sends ran out (its id is made with the row, so a retried raise adds nothing). A saga that moved to
/// another state starts again at 0. bus.step_heartbeats: the last time a step message of a workflow began
/// (each time slice is a message), written in the step's transaction; the row lock also keeps two deliveries
/// of one workflow's step from running at once. Rows of either table older than a week are deleted by the watchdog.
/// </summary>
[DbContext(typeof(WatchdogDbContext))]
[Migration("20261206124000_CreateSagaWatch")]
public sealed class CreateSagaWatch : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(SagaStatusViews.EnsureReadonlyRoleSql);
        migrationBuilder.Sql("""
        CREATE TABLE IF NOT EXISTS bus.saga_watch (
            saga_type       text NOT NULL,
            correlation_id  uuid NOT NULL,
            state           text NOT NULL,
            resends         integer NOT NULL DEFAULT 0 CHECK (resends >= 0),
            first_seen_at   timestamptz NOT NULL DEFAULT now(),
            last_resent_at  timestamptz,
            alert_id        uuid NOT NULL,
            alerted_at      timestamptz,
            PRIMARY KEY (saga_type, correlation_id)
        );
        CREATE INDEX IF NOT EXISTS saga_watch_first_seen ON bus.saga_watch (first_seen_at);
        CREATE TABLE IF NOT EXISTS bus.step_heartbeats (
            workflow_id  uuid PRIMARY KEY,
            step         text NOT NULL,
            beat_at      timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS step_heartbeats_beat_at ON bus.step_heartbeats (beat_at);
        GRANT SELECT ON bus.saga_watch TO bus_readonly;
        """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.saga_watch, bus.step_heartbeats;");
}
