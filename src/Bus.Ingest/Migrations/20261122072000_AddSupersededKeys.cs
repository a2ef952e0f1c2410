using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// Per file and bucket, the key of the previous version's copy that a reingest's changed file replaces
/// (noted by Record before the registry moves to the new key; deleted by CleanUp after it did).
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122072000_AddSupersededKeys")]
public sealed class AddSupersededKeys : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_files
            ADD COLUMN IF NOT EXISTS primary_superseded_key text,
            ADD COLUMN IF NOT EXISTS replica_superseded_key text;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_files DROP COLUMN IF EXISTS primary_superseded_key, DROP COLUMN IF EXISTS replica_superseded_key;
        """);
}
