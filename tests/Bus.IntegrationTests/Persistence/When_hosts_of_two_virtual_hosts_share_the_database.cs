using Bus.IntegrationTests.Persistence.Support;
using Bus.IntegrationTests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_hosts_of_two_virtual_hosts_share_the_database
{
    [Fact]
    public async Task Should_deliver_outbox_groups_and_scheduled_messages_only_from_the_writers_virtual_host()
    {
        await using var vhostA = await TemporaryVirtualHost.CreateAsync();
        await using var vhostB = await TemporaryVirtualHost.CreateAsync();
        // The same queue names in both virtual hosts: a row sent from the wrong one would be consumed
        // there, so "never delivered by B" is observable, not just "lost".
        var queue = TestHost.UniqueName("vhost-touch");
        var sink = TestHost.UniqueName("vhost-sink");
        var (touchA, touchB, firedA, firedB) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var touchAMessage = Guid.NewGuid();
        Guid scheduledA;

        // A commits an outbox group and a scheduled row, and never sends them itself (as if it crashed).
        var a = await TestHost.StartAsync(x => x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue), deliverOutbox: false,
            virtualHost: vhostA.Name);
        try
        {
            await a.SendAsync(queue, new Touch(touchA, new Uri($"queue:{sink}")), touchAMessage);
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touch", touchA), n => n >= 1, "A's commit");
            var handle = await a.Services.GetRequiredService<IMessageScheduler>()
                .ScheduleSend(new Uri($"queue:{sink}"), DateTime.UtcNow.AddSeconds(1), new Fired(firedA));
            scheduledA = handle.TokenId;
        }
        finally { await a.StopQuietlyAsync(); }

        // B delivers and schedules, with A's rows pending and due all the while.
        var b = await TestHost.StartAsync(x =>
        {
            x.AddTestConsumer<TouchConsumer, TouchConsumerDefinition>(queue);
            x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink);
        }, scheduler: true, virtualHost: vhostB.Name);
        try
        {
            await b.SendAsync(queue, new Touch(touchB, new Uri($"queue:{sink}")));
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", touchB), n => n >= 1, "B's own outbox group");
            await b.Services.GetRequiredService<IMessageScheduler>().ScheduleSend(new Uri($"queue:{sink}"), DateTime.UtcNow.AddSeconds(2), new Fired(firedB));
            // Due after A's row, so by now B's scheduler has polled past A's due time many times.
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("fired", firedB), n => n >= 1, "B's own scheduled message");

            Assert.Equal(0, await TestDatabase.EffectsAsync("touched", touchA));
            Assert.Equal(0, await TestDatabase.EffectsAsync("fired", firedA));
            Assert.Equal(1, await TestDatabase.CountAsync(
                "SELECT count(*) FROM bus.outbox_state WHERE source_message_id = @m AND delivered_at IS NULL AND virtual_host = @v",
                ("m", touchAMessage), ("v", vhostA.Name)));
            Assert.Equal(1, await TestDatabase.CountAsync(
                "SELECT count(*) FROM bus.scheduled_message WHERE token_id = @t AND virtual_host = @v", ("t", scheduledA), ("v", vhostA.Name)));
        }
        finally { await b.StopQuietlyAsync(); }

        // A host of A's virtual host delivers both, once.
        var a2 = await TestHost.StartAsync(x => x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink), scheduler: true,
            virtualHost: vhostA.Name);
        try
        {
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("touched", touchA), n => n >= 1, "A's outbox group from A");
            await Eventually.WaitFor(() => TestDatabase.EffectsAsync("fired", firedA), n => n >= 1, "A's scheduled message from A");

            Assert.Equal(1, await TestDatabase.EffectsAsync("touched", touchA));
            Assert.Equal(1, await TestDatabase.EffectsAsync("fired", firedA));
            Assert.Equal(1, await TestDatabase.EffectsAsync("touched", touchB));
            Assert.Equal(1, await TestDatabase.EffectsAsync("fired", firedB));
        }
        finally { await a2.StopQuietlyAsync(); }
    }
}
