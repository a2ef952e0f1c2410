using Bus.Ingest.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// A submission that arrives after its upload's ingest ended may start a successor ingest: the saga
/// keeps the link both ways and the latest submission time it has seen (docs/ingest.md, "Submitting
/// the same upload again").
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261206030000_AddSubmissionChainToIngestSaga")]
public sealed class AddSubmissionChainToIngestSaga : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_saga
            ADD COLUMN IF NOT EXISTS last_submitted_at timestamptz,
            ADD COLUMN IF NOT EXISTS superseded_by uuid,
            ADD COLUMN IF NOT EXISTS supersedes uuid;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_saga DROP COLUMN IF EXISTS last_submitted_at, DROP COLUMN IF EXISTS superseded_by,
            DROP COLUMN IF EXISTS supersedes;
        """);
}
