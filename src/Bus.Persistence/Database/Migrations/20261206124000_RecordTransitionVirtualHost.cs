using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Persistence.Database.Migrations;

/// <summary>
/// bus.saga_transitions.virtual_host: the RabbitMQ virtual host of the process that made the transition. Saga
/// tables are shared by every virtual host using the database (environments, test hosts), like the outbox and the
/// schedule; the saga watchdog re-sends a stalled saga's step command only into the virtual host its sagas ran in.
/// Null for transitions written before this column.
/// </summary>
[DbContext(typeof(PersistenceDbContext))]
[Migration("20261206124000_RecordTransitionVirtualHost")]
public sealed class RecordTransitionVirtualHost : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE bus.saga_transitions ADD COLUMN IF NOT EXISTS virtual_host text;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE bus.saga_transitions DROP COLUMN IF EXISTS virtual_host;");
}
