using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Interim state of each ingest: one row per bag (what Unpack and Validate learned) and one per file
/// (digests, staging key, format, per-bucket stored/verified marks). Every step reads these to skip
/// work an earlier attempt already did. Rows are deleted <c>InterimRetentionDays</c> after the end.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122040000_CreateIngestInterim")]
public sealed class CreateIngestInterim : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE bus.ingest_bags (
            ingest_id uuid PRIMARY KEY,
            institution text NOT NULL,
            bag_name text NOT NULL,
            object_identifier text,
            title text,
            description text,
            access text,
            storage_option text,
            bagit_profile text,
            manifest_algorithms text[] NOT NULL DEFAULT '{}',
            reingest boolean NOT NULL DEFAULT false,
            problems jsonb NOT NULL DEFAULT '[]',
            unpacked_at timestamptz,
            cancelled_at timestamptz,
            finished_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE bus.ingest_files (
            ingest_id uuid NOT NULL,
            path text NOT NULL,
            file_id uuid NOT NULL,
            size bigint NOT NULL,
            md5 text NOT NULL,
            sha1 text NOT NULL,
            sha256 text NOT NULL,
            sha512 text NOT NULL,
            staging_key text NOT NULL,
            is_payload boolean NOT NULL,
            store_needed boolean NOT NULL DEFAULT true,
            format text,
            format_method text,
            primary_etag text,
            primary_stored_at timestamptz,
            primary_verified_at timestamptz,
            replica_etag text,
            replica_stored_at timestamptz,
            replica_verified_at timestamptz,
            recopies integer NOT NULL DEFAULT 0,
            recorded_at timestamptz,
            PRIMARY KEY (ingest_id, path)
        );
        CREATE INDEX ix_ingest_bags_finished_at ON bus.ingest_bags (finished_at) WHERE finished_at IS NOT NULL;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.ingest_files; DROP TABLE IF EXISTS bus.ingest_bags;");
}
