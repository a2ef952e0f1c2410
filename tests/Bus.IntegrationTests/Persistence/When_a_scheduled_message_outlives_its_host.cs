using Bus.IntegrationTests.Persistence.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_scheduled_message_outlives_its_host
{
    [Fact]
    public async Task Should_fire_after_restart_and_never_fire_when_cancelled()
    {
        var sink = TestHost.UniqueName("scheduled-sink");
        var destination = new Uri($"queue:{sink}");
        var (kept, cancelled, marker) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await TestHost.DeclareSinkAsync(sink);
        var first = await TestHost.StartAsync(_ => { });
        try
        {
            var scheduler = first.Services.GetRequiredService<IMessageScheduler>();
            var now = DateTime.UtcNow;
            await scheduler.ScheduleSend(destination, now.AddSeconds(1), new Fired(kept));
            var doomed = await scheduler.ScheduleSend(destination, now.AddSeconds(1), new Fired(cancelled));
            // Due well after the others, so by the time it arrives a cancelled one would have too.
            await scheduler.ScheduleSend(destination, now.AddSeconds(4), new Fired(marker));
            await scheduler.CancelScheduledSend(destination, doomed.TokenId);

            Assert.Equal(0, await TestDatabase.CountAsync("SELECT count(*) FROM bus.scheduled_message WHERE token_id = @t", ("t", doomed.TokenId)));
        }
        finally { await first.StopQuietlyAsync(); }

        var second = await TestHost.StartAsync(x => x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink), scheduler: true);
        try
        {
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("fired", marker), n => n >= 1, "the marker");

            Assert.Equal(1, await TestDatabase.EffectsAsync("fired", kept));
            Assert.Equal(0, await TestDatabase.EffectsAsync("fired", cancelled));
        }
        finally { await second.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(sink); }
    }
}
