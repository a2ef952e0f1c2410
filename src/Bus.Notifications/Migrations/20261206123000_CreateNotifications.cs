using Bus.Notifications.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Notifications.Migrations;

/// <summary>
/// What was told to whom: a notification per alert or workflow event (its id is the alert's, or derived from the
/// event), and a delivery per (notification, channel, recipient) with its attempts and outcome. The index on
/// <c>registry.alerts (created_at)</c> keeps the search for alerts not yet notified to the recent ones (the
/// registry's own index covers only unacknowledged alerts).
/// </summary>
[DbContext(typeof(NotificationsDbContext))]
[Migration("20261206123000_CreateNotifications")]
public sealed class CreateNotifications : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE bus.notifications (
            id           uuid PRIMARY KEY,
            kind         text NOT NULL,
            source       text NOT NULL CHECK (source IN ('alert', 'event')),
            institution  text,
            identifier   text,
            message      text NOT NULL,
            occurred_at  timestamptz NOT NULL,
            created_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_notifications_created ON bus.notifications (created_at);

        CREATE TABLE bus.notification_deliveries (
            id               uuid PRIMARY KEY,
            notification_id  uuid NOT NULL REFERENCES bus.notifications (id) ON DELETE CASCADE,
            channel          text NOT NULL CHECK (channel IN ('webhook', 'email')),
            target           text NOT NULL,
            status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts         integer NOT NULL DEFAULT 0,
            last_error       text,
            next_attempt_at  timestamptz,
            delivered_at     timestamptz,
            created_at       timestamptz NOT NULL DEFAULT now(),
            updated_at       timestamptz NOT NULL DEFAULT now(),
            UNIQUE (notification_id, channel, target)
        );
        CREATE INDEX ix_notification_deliveries_open ON bus.notification_deliveries (status, updated_at) WHERE status <> 'delivered';

        CREATE INDEX IF NOT EXISTS alerts_created_at ON registry.alerts (created_at);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP INDEX IF EXISTS registry.alerts_created_at;
        DROP TABLE IF EXISTS bus.notification_deliveries, bus.notifications;
        """);
}
