using Bus.IntegrationTests.Persistence.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_scheduled_message_cannot_be_sent
{
    [Fact]
    public async Task Should_keep_it_for_a_later_try_without_holding_back_the_others()
    {
        var sink = TestHost.UniqueName("scheduled-sink");
        var (stuck, healthy) = (Guid.NewGuid(), Guid.NewGuid());

        var host = await TestHost.StartAsync(x => x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink), scheduler: true);
        try
        {
            var scheduler = host.Services.GetRequiredService<IMessageScheduler>();
            var now = DateTime.UtcNow;
            // Due first, so it heads the same claimed batch as the healthy one.
            var doomed = await scheduler.ScheduleSend(new Uri($"queue:{sink}"), now.AddSeconds(2), new Fired(stuck));
            await scheduler.ScheduleSend(new Uri($"queue:{sink}"), now.AddSeconds(2.5), new Fired(healthy));
            // A stored row the transport can never send (as after a rename of an endpoint, or a bad address written by
            // an older version): an entity name RabbitMQ refuses.
            await TestDatabase.CountAsync("WITH u AS (UPDATE bus.scheduled_message SET destination_address = 'rabbitmq://127.0.0.1:5673/bus/no-such-vhost*bad' " +
                "WHERE token_id = @t RETURNING 1) SELECT count(*) FROM u", ("t", doomed.TokenId));

            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("fired", healthy), n => n >= 1, "the healthy message");

            Assert.Equal(0, await TestDatabase.EffectsAsync("fired", stuck));
            // The unsendable one is kept (never lost) and postponed, not retried at the head of every poll.
            await Eventually.WaitFor(() => TestDatabase.CountAsync(
                "SELECT count(*) FROM bus.scheduled_message WHERE token_id = @t AND due_at > now()", ("t", doomed.TokenId)), n => n == 1, "the postponed row");
        }
        finally
        {
            await host.StopQuietlyAsync();
            await TestDatabase.CountAsync("WITH d AS (DELETE FROM bus.scheduled_message WHERE destination_address LIKE '%no-such-vhost%' RETURNING 1) SELECT count(*) FROM d");
            await TestHost.DeleteQueuesAsync(sink);
        }
    }
}
