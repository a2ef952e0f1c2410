using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Registry.Migrations;

/// <summary>
/// Storage records say how each copy is stored (docs/ingest.md, "Storage options"): its name in its storage
/// option, region label, S3 storage class, tier (hot: readable at once; cold: needs a restore first) and the
/// SHA-256 checksum S3 reported when ingest verified it (base64, or the multipart composite). Copies recorded
/// before were all STANDARD and hot, which the defaults say.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261206090000_AddCopyStorageClass")]
public sealed class AddCopyStorageClass : Migration
{
    private const string S = RegistryDbContext.Schema;

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            ALTER TABLE {S}.storage_records
                ADD COLUMN copy_name        text,
                ADD COLUMN region           text,
                ADD COLUMN storage_class    text NOT NULL DEFAULT 'STANDARD',
                ADD COLUMN tier             text NOT NULL DEFAULT 'hot' CHECK (tier IN ('hot', 'cold')),
                ADD COLUMN checksum_sha256  text;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            ALTER TABLE {S}.storage_records DROP COLUMN IF EXISTS copy_name, DROP COLUMN IF EXISTS region,
                DROP COLUMN IF EXISTS storage_class, DROP COLUMN IF EXISTS tier, DROP COLUMN IF EXISTS checksum_sha256;
            """);
}
