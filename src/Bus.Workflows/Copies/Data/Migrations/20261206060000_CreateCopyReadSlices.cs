using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Workflows.Copies.Data.Migrations;

/// <summary>
/// bus.copy_read_slices: one row per time slice of a sliced read of a copy, for every workflow (fixity's checks
/// and repairs, ingest's verify of large copies). The newest row of a read is its checkpoint (offset, the object
/// version read, each algorithm's saved hash state); the primary key makes recording slice n+1 a compare-and-set,
/// so of two deliveries of the same continuation only one carries the read on. The shape is fixity's former
/// fixity.check_slices with the workflow id in place of the storage record id (fixity's migration
/// MoveCheckSlicesToCopyReads moves its rows here; ingest's DropCopyReadCheckpoints drops its own). Not granted
/// to bus_readonly (hash states are working data).
/// </summary>
[DbContext(typeof(CopiesDbContext))]
[Migration("20261206060000_CreateCopyReadSlices")]
public sealed class CreateCopyReadSlices : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE IF NOT EXISTS bus.copy_read_slices (
            read_id            uuid NOT NULL,
            slice              integer NOT NULL CHECK (slice > 0),
            workflow_id        uuid NOT NULL,
            from_offset        bigint NOT NULL CHECK (from_offset >= 0),
            to_offset          bigint NOT NULL CHECK (to_offset >= from_offset),
            etag               text,
            size               bigint,
            algorithms         text[] NOT NULL,
            hash_states        bytea[],
            ended              text NOT NULL CHECK (ended IN ('slice-spent', 'host-stopping', 'finished', 'missing')),
            restart_reason     text,
            host               text NOT NULL,
            started_at         timestamptz NOT NULL,
            ended_at           timestamptz NOT NULL,
            PRIMARY KEY (read_id, slice)
        );
        CREATE INDEX IF NOT EXISTS copy_read_slices_by_workflow ON bus.copy_read_slices (workflow_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.copy_read_slices;");
}
