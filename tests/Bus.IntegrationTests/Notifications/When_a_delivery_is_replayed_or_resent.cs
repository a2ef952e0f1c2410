using System.Text.Json;
using Bus.Host;
using Bus.IntegrationTests.Registry;
using Bus.IntegrationTests.Support;
using Bus.Notifications;
using Bus.Notifications.Messages;
using Bus.Registry.Model;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bus.IntegrationTests.Notifications;

/// <summary>
/// A delivery's attempts come when the row says, whatever messages arrive: a replayed attempt before the scheduled time
/// sends nothing, and a failed delivery is attempted again only through <c>busctl notifications resend</c>, which
/// (like its consumer) re-checks the row.
/// </summary>
[Collection(NotificationConfig.Collection)]
public class When_a_delivery_is_replayed_or_resent
{
    [Fact]
    public async Task A_replay_before_the_next_attempt_sends_nothing_and_a_failed_delivery_is_resent_once_by_busctl()
    {
        await using var sink = new SmtpSink();
        await using var receiver = new WebhookReceiver(500, 500);
        await using var institution = await TestInstitution.CreateAsync();
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        // Two attempts an hour apart: after the first failure the row waits for a next attempt far in the future.
        var app = BusHost.Build(
        [
            "--environment", "Test", "--roles", "notify,scheduler", "--Bus:Host:HealthUrl=http://127.0.0.1:0",
            $"--Bus:RabbitMq:VirtualHost={vhost.Name}", "--Bus:Postgres:MigrateAtStartup=true",
            .. NotificationConfig.Args(institution.Identifier, sink, [("keeper", receiver.Url)], maxAttempts: 2, retryDelay: "01:00:00"),
        ]);
        try
        {
            await app.StartAsync();
            var obj = await institution.Store.UpsertObjectAsync(institution.Bag("bag"));
            await institution.Store.AddAlertAsync(new AlertRecord(Guid.NewGuid(), AlertKinds.Lost, obj.Id, null, obj.Identifier, "every copy of a file failed its check"));
            await NotificationConfig.UntilAsync(() => Webhook(institution.Identifier).Result is { Status: "pending", Attempts: 1 }, "the webhook's first attempt failed and rescheduled");
            var id = (await Webhook(institution.Identifier))!.Id;

            // A DeliverNotification replayed now (the scheduled one is an hour away) is consumed and changes nothing.
            var replay = NewId.NextGuid();
            var deliver = await app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{NotificationEndpoints.Deliver}"));
            await deliver.Send(new DeliverNotification(id), c => c.MessageId = replay);
            await NotificationConfig.UntilAsync(() => ConsumedAsync(replay).Result, "the replayed message consumed");
            Assert.Single(receiver.Requests);
            Assert.Equal(("pending", 1), ((await Webhook(institution.Identifier))!.Status, (await Webhook(institution.Identifier))!.Attempts));

            // Not failed: busctl refuses to resend and sends nothing.
            var early = await BusctlAsync(vhost, "notifications", "resend", id.ToString());
            Assert.True(early.ExitCode == 1, $"resend of a pending delivery exited {early.ExitCode}: {early.Stdout}{early.Stderr}");
            Assert.Contains("pending, not failed", early.Stderr + early.Stdout, StringComparison.Ordinal);

            // The hour passes (in the database): the scheduled attempt comes, is due, fails again and is the last.
            await ExecuteAsync("UPDATE bus.notification_deliveries SET next_attempt_at = now() WHERE id = @id", ("id", id));
            await ExecuteAsync("UPDATE bus.scheduled_message SET due_at = now() WHERE virtual_host = @vhost", ("vhost", vhost.Name));
            await NotificationConfig.UntilAsync(() => Webhook(institution.Identifier).Result is { Status: "failed", Attempts: 2 }, "the webhook's second attempt recorded as failed");

            var listed = await BusctlAsync(vhost, "notifications", "list", "--state", "failed", "--institution", institution.Identifier, "--json");
            Assert.True(listed.ExitCode == 0, $"list exited {listed.ExitCode}: {listed.Stderr}");
            var failed = Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("deliveries").EnumerateArray());
            Assert.Equal(id, failed.GetProperty("deliveryId").GetGuid());
            Assert.Equal(2, failed.GetProperty("attempts").GetInt32());
            Assert.Contains("500", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);

            // The receiver answers 200 now: the resend delivers, with a fresh count of attempts.
            var resent = await BusctlAsync(vhost, "notifications", "resend", id.ToString(), "--wait", "--timeout", "120", "--json");
            Assert.True(resent.ExitCode == 0, $"resend exited {resent.ExitCode}: {resent.Stdout}{resent.Stderr}\nhost: {string.Join('\n', receiver.Requests.Select(r => r.Answered))}");
            Assert.Equal("delivered", JsonDocument.Parse(resent.Stdout).RootElement.GetProperty("status").GetString());
            Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.Answered));
            Assert.Equal(("delivered", 1), ((await Webhook(institution.Identifier))!.Status, (await Webhook(institution.Identifier))!.Attempts));

            // Delivered: busctl refuses, and a ResendNotification sent anyway is consumed without an attempt.
            var again = await BusctlAsync(vhost, "notifications", "resend", id.ToString());
            Assert.True(again.ExitCode == 1, $"resend of a delivered delivery exited {again.ExitCode}");
            var stray = NewId.NextGuid();
            await deliver.Send(new ResendNotification(id, "test"), c => c.MessageId = stray);
            await NotificationConfig.UntilAsync(() => ConsumedAsync(stray).Result, "the stray resend consumed");
            Assert.Equal(3, receiver.Requests.Count);
            Assert.Equal(("delivered", 1), ((await Webhook(institution.Identifier))!.Status, (await Webhook(institution.Identifier))!.Attempts));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await NotificationConfig.DeleteAsync(institution.Identifier);
        }
    }

    private sealed record WebhookRow(Guid Id, string Status, int Attempts);

    private static async Task<WebhookRow?> Webhook(string institution)
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT d.id, d.status, d.attempts FROM bus.notification_deliveries d
              JOIN bus.notifications n ON n.id = d.notification_id WHERE n.institution = @i AND d.channel = 'webhook'
            """, connection);
        command.Parameters.AddWithValue("i", institution);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new WebhookRow(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2)) : null;
    }

    /// <summary>The message's inbox row: it commits with the consumer's transaction, so the consumer has finished with it.</summary>
    private static async Task<bool> ConsumedAsync(Guid messageId)
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM bus.inbox_state WHERE message_id = @m)", connection);
        command.Parameters.AddWithValue("m", messageId);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    private static Task<ExternalProcess> BusctlAsync(TemporaryVirtualHost vhost, params string[] args) =>
        ExternalProcess.RunAsync(RepoPaths.Busctl, args, vhost.Environment, TimeSpan.FromMinutes(3));
}
