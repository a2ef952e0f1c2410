using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

public class ThousandMessagesReplayTests
{
    [Fact]
    public async Task Replaying_1000_messages_delivers_each_exactly_once_and_empties_the_error_queue()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var target = await kit.QueueAsync("-stage");
        var errorQueue = await kit.QueueAsync("-stage_error");
        var ids = new List<Guid>();
        for (var i = 0; i < 1000; i++) ids.Add(await kit.PublishFaultAsync(errorQueue, target));

        var report = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "test", CancellationToken.None);

        Assert.Equal((1000, 0), (report.Replayed, report.Failed));
        Assert.Equal(0u, await kit.CountAsync(errorQueue));
        var delivered = (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf).ToList();
        Assert.Equal(ids, delivered); // all, once each, in the error queue's order
    }
}
