using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Where Store's multipart copy of one large file stopped when its time slice ran out: the open
/// multipart upload, its part size and the parts copied so far. Removed with the file's interim row;
/// compensation aborts the uploads still listed.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122101000_AddCopyUploadCheckpoints")]
public sealed class AddCopyUploadCheckpoints : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
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

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_copy_uploads;");
}
