using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Persistence.Database.Migrations;

/// <summary>
/// Lets outbox delivery give up on a group without losing it. A group whose message is larger than
/// <c>Bus:Persistence:OutboxMaxMessageBytes</c>, or that failed <c>OutboxMaxAttempts</c> times, is parked:
/// it stays with its messages, is skipped by delivery, and waits for an operator (<c>busctl outbox</c>).
/// A failed attempt waits until <c>next_attempt_at</c>, so groups that keep failing never fill the
/// oldest-first claim. The pending index now leaves parked groups out.
/// </summary>
[DbContext(typeof(PersistenceDbContext))]
[Migration("20261206030000_ParkPoisonOutboxGroups")]
public sealed class ParkPoisonOutboxGroups : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS last_error text;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS parked_at timestamptz;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS parked_reason text;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS discarded_at timestamptz;
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS discarded_by text;
            CREATE INDEX IF NOT EXISTS ix_outbox_state_deliverable ON bus.outbox_state (virtual_host, created_at)
                WHERE delivered_at IS NULL AND parked_at IS NULL;
            DROP INDEX IF EXISTS bus.ix_outbox_state_pending_virtual_host;
            CREATE INDEX IF NOT EXISTS ix_outbox_state_parked_at ON bus.outbox_state (parked_at) WHERE parked_at IS NOT NULL;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS ix_outbox_state_pending_virtual_host ON bus.outbox_state (virtual_host, created_at) WHERE delivered_at IS NULL;
            DROP INDEX IF EXISTS bus.ix_outbox_state_deliverable;
            DROP INDEX IF EXISTS bus.ix_outbox_state_parked_at;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS discarded_by;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS discarded_at;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS parked_reason;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS parked_at;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS next_attempt_at;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS last_error;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS attempts;
            """);
    }
}
