using Bus.Deletion.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Deletion.Migrations;

/// <summary>
/// A deletion requested while a restore holds the object's item lock is accepted without the lock and, once
/// approved, waits for it (WaitingForItem, scheduled retries). Rows written before held their lock: true.
/// </summary>
[DbContext(typeof(DeletionDbContext))]
[Migration("20261206120001_DeletionWaitsForRestore")]
public sealed class DeletionWaitsForRestore : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE bus.deletion_requests
                ADD COLUMN IF NOT EXISTS holds_item_lock boolean NOT NULL DEFAULT true,
                ADD COLUMN IF NOT EXISTS item_lock_waits integer NOT NULL DEFAULT 0,
                ADD COLUMN IF NOT EXISTS item_lock_retry_token_id uuid,
                ADD COLUMN IF NOT EXISTS waiting_for text;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE bus.deletion_requests
                DROP COLUMN IF EXISTS holds_item_lock, DROP COLUMN IF EXISTS item_lock_waits,
                DROP COLUMN IF EXISTS item_lock_retry_token_id, DROP COLUMN IF EXISTS waiting_for;
            """);
}
