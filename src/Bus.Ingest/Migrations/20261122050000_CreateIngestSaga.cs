using Bus.Ingest.Data;
using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>The ingest saga's table (see IngestStateMap): the saga's columns, attempts/timings per step included.</summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122050000_CreateIngestSaga")]
public sealed class CreateIngestSaga : Migration
{
    private static readonly string[] Steps = ["unpack", "validate", "identify", "store", "verify", "record", "clean_up"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        (string, string)[] columns =
        [
            ("institution", "text NOT NULL"), ("bucket", "text NOT NULL"), ("key", "text NOT NULL"), ("e_tag", "text NOT NULL"),
            ("size", "bigint NOT NULL"), ("requested_storage_option", "text"), ("submitted_by", "text NOT NULL"),
            ("received_at", "timestamptz NOT NULL"), ("finished_at", "timestamptz"), ("bag_name", "text"), ("object_identifier", "text"),
            ("storage_option", "text"), ("reingest", "boolean NOT NULL DEFAULT false"), ("file_count", "integer NOT NULL DEFAULT 0"),
            ("bytes", "bigint NOT NULL DEFAULT 0"), ("files_stored", "integer NOT NULL DEFAULT 0"), ("current_step", "text"),
            ("progress_done", "bigint NOT NULL DEFAULT 0"), ("progress_total", "bigint NOT NULL DEFAULT 0"), ("last_error", "text"),
            ("rejections", "jsonb"), ("cancelled_by", "text"), ("compensated_at", "timestamptz"),
            ("compensation_staging_deleted", "integer NOT NULL DEFAULT 0"), ("compensation_copies_deleted", "integer NOT NULL DEFAULT 0"),
            .. Steps.SelectMany(s => new[] { ($"{s}_attempts", "integer NOT NULL DEFAULT 0"), ($"{s}_started_at", "timestamptz"), ($"{s}_finished_at", "timestamptz") }),
        ];
        migrationBuilder.CreateSagaTable("ingest_saga", columns);
        migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS ix_ingest_saga_institution ON bus.ingest_saga (institution);");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropSagaTable("ingest_saga");
}
