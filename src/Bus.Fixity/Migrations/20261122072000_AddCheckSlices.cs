using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Bus.Fixity.Data;

namespace Bus.Fixity.Migrations;

/// <summary>
/// fixity.check_slices: one row per time slice of a check's read of a copy. The newest row of a check is
/// its checkpoint (offset, the object version read, each algorithm's saved hash state); the primary key
/// makes recording slice n+1 a compare-and-set, so of two deliveries of the same continuation only one
/// carries the check on. Rows are kept after the check as a record of how it ran (a few per check).
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261122072000_AddCheckSlices")]
public sealed class AddCheckSlices : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE fixity.check_slices (
            check_id           uuid NOT NULL,
            slice              integer NOT NULL CHECK (slice > 0),
            storage_record_id  bigint NOT NULL,
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
            PRIMARY KEY (check_id, slice)
        );
        CREATE INDEX check_slices_by_copy ON fixity.check_slices (storage_record_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS fixity.check_slices;");
}
