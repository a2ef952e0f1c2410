using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>Schema fixity: one row per check (with the one-in-flight-per-copy index) and one per sweep run.</summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261122040000_CreateFixity")]
public sealed class CreateFixity : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE SCHEMA IF NOT EXISTS fixity;

        CREATE TABLE fixity.checks (
            check_id           uuid PRIMARY KEY,
            storage_record_id  bigint NOT NULL,
            file_identifier    text NOT NULL,
            bucket             text NOT NULL,
            requested_by       text NOT NULL,
            requested_at       timestamptz NOT NULL,
            outcome            text CHECK (outcome IN ('intact', 'repaired', 'lost', 'failed')),
            detail             text,
            completed_at       timestamptz,
            CHECK ((outcome IS NULL) = (completed_at IS NULL))
        );
        -- At most one check without an outcome per copy: whoever queues a check inserts here first and
        -- sends only if the insert won, so two sweeps (two hosts) or busctl never queue a copy twice.
        CREATE UNIQUE INDEX checks_one_in_flight ON fixity.checks (storage_record_id) WHERE completed_at IS NULL;
        CREATE INDEX checks_by_copy ON fixity.checks (storage_record_id, requested_at DESC);
        CREATE INDEX checks_completed ON fixity.checks (completed_at DESC) WHERE completed_at IS NOT NULL;

        CREATE TABLE fixity.sweep_runs (
            id              uuid PRIMARY KEY,
            host            text NOT NULL,
            started_at      timestamptz NOT NULL,
            finished_at     timestamptz,
            checked_before  timestamptz NOT NULL,
            claimed         integer NOT NULL DEFAULT 0,
            queued          integer NOT NULL DEFAULT 0,
            error           text
        );
        CREATE INDEX sweep_runs_started ON fixity.sweep_runs (started_at DESC);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS fixity.sweep_runs, fixity.checks;");
}
