using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Where each ingest's time-sliced Unpack stands: the tar offset of the next entry header, the
/// bag-level scan state (tag file bytes, findings, other entries) as JSON, and how many slices it
/// took. The row is also the lock two deliveries of one ingest's Unpack take turns on.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122063000_CreateUnpackCheckpoints")]
public sealed class CreateUnpackCheckpoints : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE bus.ingest_unpack_checkpoints (
            ingest_id uuid PRIMARY KEY,
            etag text NOT NULL,
            next_offset bigint NOT NULL DEFAULT 0,
            slices integer NOT NULL DEFAULT 0,
            state jsonb,
            bag_name text,
            payload_files integer,
            payload_bytes bigint,
            finished_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_unpack_checkpoints;");
}
