using Bus.Persistence.Sagas;
using Bus.Platform.Database;
using Bus.Restore.Data;
using Bus.Workflows.Coordination;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Restore.Migrations;

/// <summary>
/// The restore saga's table (kept after a restore ends: its result is read from it), the plan of each restore
/// (one row per tar entry, fixed before the first byte is written, so every slice lays out the same tar), the
/// write checkpoint (the open multipart upload, its parts, the next part's tar offset, the sha256 state of the
/// file a part boundary cut, the copies found bad), the admin status view, and the shared item locks.
/// </summary>
[DbContext(typeof(RestoreDbContext))]
[Migration("20261206091000_CreateRestore")]
public sealed class CreateRestore : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateSagaTable("restore_saga",
            ("kind", "text NOT NULL CHECK (kind IN ('object', 'file'))"),
            ("identifier", "varchar(1024) NOT NULL"),
            ("object_identifier", "varchar(512) NOT NULL"),
            ("institution", "text NOT NULL"),
            ("requested_by", "text NOT NULL"),
            ("requested_at", "timestamptz NOT NULL"),
            ("locked_at", "timestamptz"),
            ("item_lock_waits", "integer NOT NULL DEFAULT 0"),
            ("cold_polls", "integer NOT NULL DEFAULT 0"),
            ("cold_pending", "integer NOT NULL DEFAULT 0"),
            ("retry_token_id", "uuid"),
            ("bucket", "text"),
            ("key", "text"),
            ("size", "bigint"),
            ("files", "integer"),
            ("failure_reason", "text"),
            ("finished_at", "timestamptz"));
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS ix_restore_saga_institution ON bus.restore_saga (institution, requested_at DESC);
            CREATE INDEX IF NOT EXISTS ix_restore_saga_requested ON bus.restore_saga (requested_at DESC, correlation_id);

            CREATE TABLE bus.restore_files (
                restore_id   uuid NOT NULL,
                seq          integer NOT NULL,
                path         text NOT NULL,
                size         bigint NOT NULL CHECK (size >= 0),
                sha256       text NOT NULL,
                file_id      uuid,
                candidates   jsonb NOT NULL DEFAULT '[]',
                content      bytea,
                PRIMARY KEY (restore_id, seq)
            );

            CREATE TABLE bus.restore_uploads (
                restore_id   uuid PRIMARY KEY,
                bucket       text NOT NULL,
                key          text NOT NULL,
                upload_id    text NOT NULL,
                part_bytes   bigint NOT NULL,
                total_bytes  bigint NOT NULL,
                next_offset  bigint NOT NULL,
                parts        jsonb NOT NULL DEFAULT '[]',
                resume_seq   integer,
                resume_at    bigint,
                hash_state   bytea,
                bad_copies   bigint[] NOT NULL DEFAULT '{}',
                version      integer NOT NULL DEFAULT 0,
                slices       integer NOT NULL DEFAULT 0,
                completed_at timestamptz,
                updated_at   timestamptz NOT NULL DEFAULT now()
            );
            """);
        migrationBuilder.Sql(PostgresItemLocks.CreateTableSql);
        migrationBuilder.CreateSagaStatusView("restore", "restore_saga", $"""
            SELECT 'restore'::text AS saga_type, s.correlation_id, s.identifier::text AS business_key,
                   s.current_state, {SagaStatusViews.StateSinceSql("RestoreState", "s")} AS state_since,
                   s.updated_at, NULL::integer AS attempts, s.failure_reason AS last_error,
                   s.current_state IN ('Completed', 'Failed') AS terminal
              FROM bus.restore_saga s
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSagaStatusView("restore");
        migrationBuilder.Sql("DROP TABLE IF EXISTS bus.restore_uploads, bus.restore_files;");
        migrationBuilder.DropSagaTable("restore_saga");
    }
}
