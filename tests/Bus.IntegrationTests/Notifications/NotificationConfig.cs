using Bus.IntegrationTests.Registry;
using Npgsql;

namespace Bus.IntegrationTests.Notifications;

/// <summary>Host arguments that send one institution's notifications to a local receiver and SMTP sink, retrying quickly.</summary>
internal static class NotificationConfig
{
    public const string Secret = "test-webhook-secret-for-signatures";

    /// <summary>The notification scenarios run one after another: their hosts migrate at start, and two migration runs at once race on GRANT.</summary>
    public const string Collection = "notifications";

    public static string[] Args(string institution, SmtpSink sink, IReadOnlyList<(string Name, string Url)> webhooks, int maxAttempts = 5,
        string retryDelay = "00:00:01") =>
    [
        "--Bus:Notifications:PollInterval=00:00:00.5",
        $"--Bus:Notifications:RetryDelay={retryDelay}",
        $"--Bus:Notifications:MaxAttempts={maxAttempts}",
        "--Bus:Notifications:Smtp:Host=127.0.0.1",
        $"--Bus:Notifications:Smtp:Port={sink.Port}",
        "--Bus:Notifications:Smtp:Security=None",
        "--Bus:Notifications:Smtp:From=bus@localhost",
        $"--Bus:Notifications:Recipients:0:Institution={institution}",
        $"--Bus:Notifications:Recipients:0:Email:0=keeper@{institution}",
        .. webhooks.SelectMany((w, i) => new[]
        {
            $"--Bus:Notifications:Webhooks:{i}:Name={w.Name}",
            $"--Bus:Notifications:Webhooks:{i}:Url={w.Url}",
            $"--Bus:Notifications:Webhooks:{i}:Secret={Secret}",
            $"--Bus:Notifications:Recipients:0:Webhooks:{i}={w.Name}",
        }),
    ];

    /// <summary>Polls until <paramref name="condition"/> holds (the deadline only stops a broken test from hanging).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(90));
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Deliveries of the institution's notifications: (channel, target, status, attempts).</summary>
    public static async Task<List<(string Channel, string Target, string Status, int Attempts)>> DeliveriesAsync(string institution)
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT d.channel, d.target, d.status, d.attempts FROM bus.notification_deliveries d
              JOIN bus.notifications n ON n.id = d.notification_id WHERE n.institution = @i ORDER BY d.channel, d.target
            """, connection);
        command.Parameters.AddWithValue("i", institution);
        var rows = new List<(string, string, string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        return rows;
    }

    public static async Task DeleteAsync(string institution)
    {
        await using var connection = await RegistryTestDatabase.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM bus.notifications WHERE institution = @i", connection);
        command.Parameters.AddWithValue("i", institution);
        await command.ExecuteNonQueryAsync();
    }
}
