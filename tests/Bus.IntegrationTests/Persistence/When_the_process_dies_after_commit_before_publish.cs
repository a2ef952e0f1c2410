using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_the_process_dies_after_commit_before_publish
{
    [Fact]
    public async Task Should_deliver_after_restart_exactly_once()
    {
        var queue = TestHost.UniqueName("crash");
        var sink = TestHost.UniqueName("crash-sink");
        var key = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var touch = new Touch(key, new Uri($"queue:{sink}"));

        await TestHost.DeclareSinkAsync(sink);

        // The first process commits the consumer's work and its outbox row, then never publishes
        // (its delivery service is off: the state a crash right after commit leaves behind).
        var crashed = await TestHost.StartAsync(x => x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue), deliverOutbox: false);
        try
        {
            await crashed.SendAsync(queue, touch, messageId);
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touch", key), n => n >= 1, "the first process's commit");
            Assert.Equal(1, await GroupsAsync(messageId));
        }
        finally { await crashed.StopQuietlyAsync(); }

        var restarted = await TestHost.StartAsync(x =>
        {
            x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue);
            x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink);
        });
        try
        {
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", key), n => n >= 1, "delivery after restart");

            // The broker redelivers the original too (it was never acknowledged, say): the inbox absorbs it.
            await restarted.SendAsync(queue, touch, messageId);
            await Eventually.WaitFor(() => TestDatabase.CountAsync(
                "SELECT coalesce(sum(receive_count), 0) FROM bus.inbox_state WHERE message_id = @m", ("m", messageId)), n => n >= 2, "the redelivery");

            Assert.Equal(1, await GroupsAsync(messageId));
            Assert.Equal(0, await PendingGroupsAsync(messageId));
            Assert.Equal(1, await TestDatabase.EffectsAsync("touch", key));
            Assert.Equal(1, await TestDatabase.EffectsAsync("touched", key));
        }
        finally { await restarted.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue, sink); }
    }

    private static Task<long> GroupsAsync(Guid sourceMessageId) => TestDatabase.CountAsync(
        "SELECT count(*) FROM bus.outbox_state WHERE source_message_id = @m", ("m", sourceMessageId));

    private static Task<long> PendingGroupsAsync(Guid sourceMessageId) => TestDatabase.CountAsync(
        "SELECT count(*) FROM bus.outbox_state WHERE source_message_id = @m AND delivered_at IS NULL", ("m", sourceMessageId));
}
