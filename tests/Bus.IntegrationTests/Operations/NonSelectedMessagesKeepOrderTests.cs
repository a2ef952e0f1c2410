using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

public class NonSelectedMessagesKeepOrderTests
{
    [Fact]
    public async Task Replaying_one_exception_type_leaves_the_others_in_their_original_order()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var target = await kit.QueueAsync("-stage");
        var errorQueue = await kit.QueueAsync("-stage_error");
        var timeouts = new List<Guid>();
        var invalid = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            if (i % 3 == 0) timeouts.Add(await kit.PublishFaultAsync(errorQueue, target, exceptionType: "System.TimeoutException"));
            else invalid.Add(await kit.PublishFaultAsync(errorQueue, target, exceptionType: "System.InvalidOperationException"));
        }

        var report = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue,
            MessageSelector.Create(null, false, "System.TimeoutException", null), false, "test", CancellationToken.None);

        Assert.Equal(timeouts.Count, report.Replayed);
        Assert.Equal(invalid, (await kit.DrainAsync(errorQueue)).Select(ErrorQueueTestKit.IdOf));
        Assert.Equal(timeouts, (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
    }
}
