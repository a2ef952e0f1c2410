using Bus.Fixity.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Fixity.Migrations;

/// <summary>
/// Sliced reads of copies keep their checkpoints in the copy kit's one store, bus.copy_read_slices (created by the
/// copies module's CreateCopyReadSlices, which runs before fixity). fixity.check_slices' rows move there, in-flight
/// checks included, so a check paused mid-read continues from its checkpoint after the upgrade: check_id becomes
/// read_id and, as the storage record id has no place in the kit's table, the workflow id too (for a repair's
/// derived read ids too, which nothing looks up by workflow). Then fixity.check_slices is dropped. The insert fails,
/// and nothing is dropped, if the copies module has not created its table. Down recreates an empty
/// fixity.check_slices: a dropped checkpoint only means a re-read from byte 0.
/// </summary>
[DbContext(typeof(FixityDbContext))]
[Migration("20261206060000_MoveCheckSlicesToCopyReads")]
public sealed class MoveCheckSlicesToCopyReads : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        INSERT INTO bus.copy_read_slices (read_id, slice, workflow_id, from_offset, to_offset, etag, size, algorithms, hash_states,
                                          ended, restart_reason, host, started_at, ended_at)
        SELECT check_id, slice, check_id, from_offset, to_offset, etag, size, algorithms, hash_states,
               ended, restart_reason, host, started_at, ended_at
        FROM fixity.check_slices
        ON CONFLICT (read_id, slice) DO NOTHING;
        DROP TABLE fixity.check_slices;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE IF NOT EXISTS fixity.check_slices (
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
        CREATE INDEX IF NOT EXISTS check_slices_by_copy ON fixity.check_slices (storage_record_id);
        """);
}
