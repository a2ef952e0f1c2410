using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Where Verify's read of one large copy stopped when its time slice ran out: the next byte to read,
/// the copy's ETag (a replaced copy is read again from the start) and the sha256 state so far
/// (<see cref="Bus.Platform.Hashing.ResumableHash"/>). Removed with the file's interim row.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122100000_AddCopyReadCheckpoints")]
public sealed class AddCopyReadCheckpoints : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
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
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_copy_reads;");
}
