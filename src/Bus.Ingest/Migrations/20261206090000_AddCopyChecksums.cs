using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// The SHA-256 checksum S3 reported for each copy slot when Verify checked a cold copy by it (docs/ingest.md,
/// "Storage options"); Record keeps it on the storage record for fixity. The slot columns keep their names:
/// primary is an option's first copy, replica its second (unused by one-copy options).
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261206090000_AddCopyChecksums")]
public sealed class AddCopyChecksums : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_files ADD COLUMN IF NOT EXISTS primary_checksum text, ADD COLUMN IF NOT EXISTS replica_checksum text;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_files DROP COLUMN IF EXISTS primary_checksum, DROP COLUMN IF EXISTS replica_checksum;
        """);
}
