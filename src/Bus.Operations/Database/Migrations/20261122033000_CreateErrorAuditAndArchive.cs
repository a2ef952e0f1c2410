using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Operations.Database.Migrations;

/// <summary>
/// Hand-written (the EF Core Design package is not served, see ModuleDbContextOptions). Plain SQL
/// so the tables are exactly what admins query; it matches <see cref="OperationsDbContext"/>'s model.
/// </summary>
[DbContext(typeof(OperationsDbContext))]
[Migration("20261122033000_CreateErrorAuditAndArchive")]
public sealed class CreateErrorAuditAndArchive : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE bus.error_audit (
                id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_error_audit PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                actor text NOT NULL,
                action text NOT NULL,
                queue text NOT NULL,
                message_id text NULL,
                target text NULL,
                outcome text NOT NULL,
                detail text NULL
            );
            CREATE INDEX ix_error_audit_queue_at ON bus.error_audit (queue, at);
            CREATE INDEX ix_error_audit_message_id ON bus.error_audit (message_id);
            COMMENT ON TABLE bus.error_audit IS 'busctl errors replay/archive/restore/purge: one row per message and action. outcome publishing = replay interrupted between publish and acknowledge';

            CREATE TABLE bus.archived_error_messages (
                id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_archived_error_messages PRIMARY KEY,
                queue text NOT NULL,
                message_id text NULL,
                message_type text NULL,
                exception_type text NULL,
                fault_timestamp timestamptz NULL,
                archived_at timestamptz NOT NULL DEFAULT now(),
                archived_by text NOT NULL,
                properties jsonb NOT NULL,
                body bytea NOT NULL
            );
            CREATE INDEX ix_archived_error_messages_archived_at ON bus.archived_error_messages (archived_at);
            COMMENT ON TABLE bus.archived_error_messages IS 'busctl errors archive: messages moved out of error queues, body and typed properties/headers kept for a byte-for-byte restore';
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE bus.archived_error_messages; DROP TABLE bus.error_audit;");
    }
}
