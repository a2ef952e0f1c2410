using Bus.Ingest.Data;
using Bus.Workflows.Coordination;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Ingest.Migrations;

/// <summary>
/// The ingest saga takes the object's item lock (shared with deletion): when it took it, how often it
/// found it held, and the scheduled retry's token. Creates bus.item_locks too (idempotent DDL): ingest
/// migrates before deletion, and neither module may depend on the other's migrations.
/// </summary>
[DbContext(typeof(IngestDbContext))]
[Migration("20261122071000_AddItemLockToIngestSaga")]
public sealed class AddItemLockToIngestSaga : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE bus.ingest_saga
                ADD COLUMN IF NOT EXISTS item_locked_at timestamptz,
                ADD COLUMN IF NOT EXISTS item_lock_waits integer NOT NULL DEFAULT 0,
                ADD COLUMN IF NOT EXISTS item_lock_retry_token_id uuid;
            """);
        migrationBuilder.Sql(PostgresItemLocks.CreateTableSql);
    }

    // The item-lock table stays: deletion uses it too.
    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE bus.ingest_saga DROP COLUMN IF EXISTS item_locked_at, DROP COLUMN IF EXISTS item_lock_waits,
            DROP COLUMN IF EXISTS item_lock_retry_token_id;
        """);
}
