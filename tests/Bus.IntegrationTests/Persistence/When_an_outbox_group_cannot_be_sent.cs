using System.Text.Json;
using Bus.IntegrationTests.Persistence.Support;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Persistence;

/// <summary>
/// Issue 13 item 2: a poison outbox group (a message over the size bound, or one whose send always fails)
/// is parked after the rule, kept, shown by busctl, and never stops delivery of groups written after it,
/// even with one group claimed per batch (the oldest first).
/// </summary>
public sealed class When_an_outbox_group_cannot_be_sent
{
    [Fact]
    public async Task Should_park_it_show_it_and_keep_delivering_later_groups()
    {
        await using var vhost = await TemporaryVirtualHost.CreateAsync();
        var queue = TestHost.UniqueName("park-touch");
        var sink = TestHost.UniqueName("park-sink");
        var (tooLarge, failing, later) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var (tooLargeMessage, failingMessage, laterMessage) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        // The three groups are committed by a host that never delivers, oldest first.
        var writer = await TestHost.StartAsync(x => x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue), deliverOutbox: false,
            virtualHost: vhost.Name);
        try
        {
            foreach (var (key, id) in new[] { (tooLarge, tooLargeMessage), (failing, failingMessage), (later, laterMessage) })
            {
                await writer.SendAsync(queue, new Touch(key, new Uri($"queue:{sink}")), id);
                await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touch", key), n => n >= 1, $"the commit of {key}");
            }
        }
        finally { await writer.StopQuietlyAsync(); }
        // One body grows past the bound (still valid JSON); one destination no transport can send to.
        await ExecuteAsync("UPDATE bus.outbox_message SET body = body || repeat(' ', 70000) WHERE outbox_id = @g", await GroupOfAsync(tooLargeMessage));
        var failingGroup = await GroupOfAsync(failingMessage);
        var destination = (await TestDatabase.QueryAsync("SELECT destination_address FROM bus.outbox_message WHERE outbox_id = @g",
            r => r.GetString(0), ("g", failingGroup))).Single();
        await ExecuteAsync("UPDATE bus.outbox_message SET destination_address = 'nowhere://nothing/at-all' WHERE outbox_id = @g", failingGroup);

        var settings = new Dictionary<string, string?>
        {
            ["Bus:Persistence:OutboxBatchSize"] = "1",
            ["Bus:Persistence:OutboxMaxMessageBytes"] = "65536",
            ["Bus:Persistence:OutboxMaxAttempts"] = "2",
            ["Bus:Persistence:OutboxRetryDelay"] = "00:00:00.200",
        };
        var deliverer = await TestHost.StartAsync(x => x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink), virtualHost: vhost.Name,
            settings: settings);
        try
        {
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", later), n => n >= 1, "the group written after the poison ones");
            var tooLargeGroup = await GroupOfAsync(tooLargeMessage);
            var parked = await Eventually.WaitFor(ParkedAsync, p => p.ContainsKey(tooLargeGroup) && p.ContainsKey(failingGroup), "both poison groups parked");
            Assert.Contains("OutboxMaxMessageBytes", parked[tooLargeGroup].Reason);
            Assert.Equal(1, parked[tooLargeGroup].Attempts);
            Assert.StartsWith("delivery failed 2 times", parked[failingGroup].Reason);
            Assert.Equal(0, await TestDatabase.EffectsAsync("touched", tooLarge));
            Assert.Equal(0, await TestDatabase.EffectsAsync("touched", failing));

            // Operators see them: busctl outbox list and errors list.
            var list = await BusctlJsonAsync("outbox", "list", "--limit", "10000", "--json");
            var listed = list.GetProperty("parked").EnumerateArray()
                .ToDictionary(p => p.GetProperty("outboxId").GetGuid(), p => p.GetProperty("messageId").GetGuid());
            Assert.Contains(tooLargeGroup, listed.Keys);
            Assert.Contains(failingGroup, listed.Keys);
            var errors = await BusctlJsonAsync("errors", "list", "--json");
            Assert.Contains(errors.GetProperty("parkedOutbox").EnumerateArray(), p => p.GetProperty("outboxId").GetGuid() == tooLargeGroup);

            // Retried once its cause is gone, the group is delivered; discarded, it is kept and never sent.
            await ExecuteAsync("UPDATE bus.outbox_message SET destination_address = @d WHERE outbox_id = @g", failingGroup, destination);
            await BusctlJsonAsync("outbox", "retry", listed[failingGroup].ToString(), "--by", "test", "--json");
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", failing), n => n >= 1, "the retried group");
            await BusctlJsonAsync("outbox", "discard", tooLargeGroup.ToString(), "--by", "test", "--json");
            Assert.Equal(1, await TestDatabase.CountAsync(
                "SELECT count(*) FROM bus.outbox_state WHERE outbox_id = @g AND discarded_by = 'test' AND delivered_at IS NULL", ("g", tooLargeGroup)));
            Assert.False((await ParkedAsync()).ContainsKey(tooLargeGroup));
            Assert.Equal(0, await TestDatabase.EffectsAsync("touched", tooLarge));
        }
        finally
        {
            await deliverer.StopQuietlyAsync();
        }
    }

    private static async Task<Guid> GroupOfAsync(Guid sourceMessageId) =>
        (await TestDatabase.QueryAsync("SELECT outbox_id FROM bus.outbox_state WHERE source_message_id = @m", r => r.GetGuid(0), ("m", sourceMessageId))).Single();

    private static async Task<Dictionary<Guid, (string Reason, int Attempts)>> ParkedAsync() =>
        (await TestDatabase.QueryAsync(
            "SELECT outbox_id, parked_reason, attempts FROM bus.outbox_state WHERE parked_at IS NOT NULL AND discarded_at IS NULL AND delivered_at IS NULL",
            r => (r.GetGuid(0), r.GetString(1), r.GetInt32(2)))).ToDictionary(p => p.Item1, p => (p.Item2, p.Item3));

    private static async Task ExecuteAsync(string sql, Guid group, string? destination = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("g", group);
        if (destination is not null) command.Parameters.AddWithValue("d", destination);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<JsonElement> BusctlJsonAsync(params string[] args)
    {
        var p = await ExternalProcess.RunAsync(RepoPaths.Busctl, args);
        Assert.True(p.ExitCode == 0, $"busctl {string.Join(' ', args)}: exit {p.ExitCode}, {p.Stderr}");
        return JsonDocument.Parse(p.Stdout).RootElement.Clone();
    }
}
