using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Persistence.Database.Migrations;

/// <summary>
/// Records on each outbox group and scheduled message the RabbitMQ virtual host of the process that wrote
/// it, so only processes connected to that virtual host deliver it. Without it a process of another virtual
/// host sharing the database claimed the row and sent it into its own virtual host, where the destination
/// queue does not exist and RabbitMQ silently drops the message. Rows written before this migration keep
/// NULL and stay claimable by any process. The pending-row indexes lead with the virtual host, so each
/// process's claim reads only its own (and legacy NULL) rows, in order.
/// </summary>
[DbContext(typeof(PersistenceDbContext))]
[Migration("20261122071000_ScopeMessagingToVirtualHost")]
public sealed class ScopeMessagingToVirtualHost : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            ALTER TABLE bus.outbox_state ADD COLUMN IF NOT EXISTS virtual_host text;
            CREATE INDEX IF NOT EXISTS ix_outbox_state_pending_virtual_host ON bus.outbox_state (virtual_host, created_at) WHERE delivered_at IS NULL;
            DROP INDEX IF EXISTS bus.ix_outbox_state_pending;

            ALTER TABLE bus.scheduled_message ADD COLUMN IF NOT EXISTS virtual_host text;
            CREATE INDEX IF NOT EXISTS ix_scheduled_message_virtual_host_due_at ON bus.scheduled_message (virtual_host, due_at);
            DROP INDEX IF EXISTS bus.ix_scheduled_message_due_at;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS ix_scheduled_message_due_at ON bus.scheduled_message (due_at);
            DROP INDEX IF EXISTS bus.ix_scheduled_message_virtual_host_due_at;
            ALTER TABLE bus.scheduled_message DROP COLUMN IF EXISTS virtual_host;

            CREATE INDEX IF NOT EXISTS ix_outbox_state_pending ON bus.outbox_state (created_at) WHERE delivered_at IS NULL;
            DROP INDEX IF EXISTS bus.ix_outbox_state_pending_virtual_host;
            ALTER TABLE bus.outbox_state DROP COLUMN IF EXISTS virtual_host;
            """);
    }
}
