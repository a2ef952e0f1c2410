using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Verify's sliced reads keep their checkpoints in the copy kit's one store, bus.copy_read_slices (migration
/// CreateCopyReadSlices of the copies module), so bus.ingest_copy_reads is dropped with its rows. They are not
/// carried over: a dropped checkpoint only means that a Verify paused inside a large copy reads that copy again
/// from byte 0 (its read ids are derived in code, which SQL cannot repeat). Store's multipart checkpoints
/// (bus.ingest_copy_uploads) stay. Down recreates the table empty.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261206060000_DropCopyReadCheckpoints")]
public sealed class DropCopyReadCheckpoints : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_copy_reads;");

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE IF NOT EXISTS bus.ingest_copy_reads (
            ingest_id uuid NOT NULL,
            path text NOT NULL,
            role text NOT NULL CHECK (role IN ('primary', 'replica')),
            etag text NOT NULL,
            next_offset bigint NOT NULL CHECK (next_offset > 0),
            sha256_state bytea NOT NULL,
            slices integer NOT NULL DEFAULT 1,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (ingest_id, path, role),
            FOREIGN KEY (ingest_id, path) REFERENCES bus.ingest_files (ingest_id, path) ON DELETE CASCADE
        );
        REVOKE ALL ON bus.ingest_copy_reads FROM bus_readonly;
        """);
}
