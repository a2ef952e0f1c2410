using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Checkpoints inside one large file, per copy, so no step message outlasts its time slice: where
/// Verify's read stopped (next byte, the copy's ETag, the sha256 state from
/// <see cref="Bus.Hashing.ResumableHash"/>) and Store's open multipart copy (upload id, part
/// size, part ETags). Removed with the file's interim row; compensation aborts uploads still listed.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122100000_AddCopyCheckpoints")]
public sealed class AddCopyCheckpoints : Migration
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

        CREATE TABLE IF NOT EXISTS bus.ingest_copy_uploads (
            ingest_id uuid NOT NULL,
            path text NOT NULL,
            role text NOT NULL CHECK (role IN ('primary', 'replica')),
            upload_id text NOT NULL,
            part_bytes bigint NOT NULL CHECK (part_bytes > 0),
            part_etags text[] NOT NULL,
            slices integer NOT NULL DEFAULT 1,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (ingest_id, path, role),
            FOREIGN KEY (ingest_id, path) REFERENCES bus.ingest_files (ingest_id, path) ON DELETE CASCADE
        );
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_copy_uploads; DROP TABLE IF EXISTS bus.ingest_copy_reads;");
}
