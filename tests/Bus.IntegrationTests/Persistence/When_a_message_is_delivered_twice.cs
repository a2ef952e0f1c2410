using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_message_is_delivered_twice
{
    [Fact]
    public async Task Should_have_the_consumer_effect_once()
    {
        var queue = TestHost.UniqueName("twice");
        var sink = TestHost.UniqueName("twice-sink");
        var host = await TestHost.StartAsync(x =>
        {
            x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue);
            x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink);
        });
        try
        {
            var key = Guid.NewGuid();
            var messageId = Guid.NewGuid();
            var touch = new Touch(key, new Uri($"queue:{sink}"));
            await host.SendAsync(queue, touch, messageId);
            await host.SendAsync(queue, touch, messageId);

            // Both deliveries reached the inbox before anything is counted.
            await Eventually.WaitFor(() => TestDatabase.CountAsync(
                "SELECT coalesce(sum(receive_count), 0) FROM bus.inbox_state WHERE message_id = @m", ("m", messageId)), n => n >= 2, "two deliveries");
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", key), n => n >= 1, "the reply");

            Assert.Equal(1, await TestDatabase.EffectsAsync("touch", key));
            Assert.Equal(1, await TestDatabase.EffectsAsync("touched", key));
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue, sink); }
    }
}
