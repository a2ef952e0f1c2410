using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Persistence.Database.Migrations;

/// <summary>
/// Inbox, outbox, schedule and transition tables. Written as IF NOT EXISTS SQL so it is safe on a
/// database where the schema and other modules' tables already exist.
/// </summary>
[DbContext(typeof(PersistenceDbContext))]
[Migration("20261122031500_MessagingTables")]
public sealed class MessagingTables : Migration
{
    private const string Envelope = """
        message_id uuid NOT NULL,
        destination_address text NOT NULL,
        message_type text NOT NULL,
        content_type text NOT NULL,
        body text NOT NULL,
        headers text,
        properties text,
        conversation_id uuid,
        correlation_id uuid,
        initiator_id uuid,
        request_id uuid,
        source_address text,
        response_address text,
        fault_address text,
        sent_time timestamptz NOT NULL,
        expiration_time timestamptz
        """;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.EnsureSchema("bus");
        migrationBuilder.Sql("""
            CREATE TABLE IF NOT EXISTS bus.inbox_state (
                message_id uuid NOT NULL,
                consumer_id uuid NOT NULL,
                consumer_type text NOT NULL DEFAULT '',
                received_at timestamptz NOT NULL DEFAULT now(),
                receive_count integer NOT NULL DEFAULT 1,
                consumed_at timestamptz,
                CONSTRAINT pk_inbox_state PRIMARY KEY (message_id, consumer_id));
            CREATE INDEX IF NOT EXISTS ix_inbox_state_received_at ON bus.inbox_state (received_at);

            CREATE TABLE IF NOT EXISTS bus.outbox_state (
                outbox_id uuid NOT NULL CONSTRAINT pk_outbox_state PRIMARY KEY,
                source_message_id uuid,
                consumer_id uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz);
            CREATE INDEX IF NOT EXISTS ix_outbox_state_pending ON bus.outbox_state (created_at) WHERE delivered_at IS NULL;
            CREATE INDEX IF NOT EXISTS ix_outbox_state_delivered_at ON bus.outbox_state (delivered_at) WHERE delivered_at IS NOT NULL;
            """);
        migrationBuilder.Sql($"""
            CREATE TABLE IF NOT EXISTS bus.outbox_message (
                sequence_number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_outbox_message PRIMARY KEY,
                outbox_id uuid NOT NULL CONSTRAINT fk_outbox_message_outbox_state REFERENCES bus.outbox_state (outbox_id) ON DELETE CASCADE,
                {Envelope});
            CREATE INDEX IF NOT EXISTS ix_outbox_message_outbox_id_sequence_number ON bus.outbox_message (outbox_id, sequence_number);

            CREATE TABLE IF NOT EXISTS bus.scheduled_message (
                token_id uuid NOT NULL CONSTRAINT pk_scheduled_message PRIMARY KEY,
                due_at timestamptz NOT NULL,
                {Envelope},
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX IF NOT EXISTS ix_scheduled_message_due_at ON bus.scheduled_message (due_at);
            """);
        migrationBuilder.Sql("""
            CREATE TABLE IF NOT EXISTS bus.saga_transitions (
                id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_saga_transitions PRIMARY KEY,
                saga_type text NOT NULL,
                correlation_id uuid NOT NULL,
                from_state text,
                to_state text NOT NULL,
                event text,
                message_id uuid,
                host text NOT NULL,
                occurred_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX IF NOT EXISTS ix_saga_transitions_saga_type_correlation_id_id ON bus.saga_transitions (saga_type, correlation_id, id);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE IF EXISTS bus.saga_transitions;
            DROP TABLE IF EXISTS bus.scheduled_message;
            DROP TABLE IF EXISTS bus.outbox_message;
            DROP TABLE IF EXISTS bus.outbox_state;
            DROP TABLE IF EXISTS bus.inbox_state;
            """);
    }
}
