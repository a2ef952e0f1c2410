using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

public class MissingTargetLeavesMessageTests
{
    [Fact]
    public async Task Replay_to_a_queue_that_no_longer_exists_fails_that_message_and_keeps_it_in_place()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-retired-stage_error");
        var orphan = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-retired-stage");

        var report = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "test", CancellationToken.None);

        Assert.Equal((0, 1), (report.Replayed, report.Failed));
        var failed = Assert.Single(report.Messages, m => m.Outcome == ReplayOutcome.Failed);
        Assert.Equal(orphan.ToString(), failed.MessageId);
        Assert.Contains("does not exist", failed.Detail);
        Assert.Equal([orphan], (await kit.DrainAsync(errorQueue)).Select(ErrorQueueTestKit.IdOf));
        Assert.Equal("failed", (await kit.AuditAsync([orphan])).Single().Outcome);
    }

    [Fact]
    public async Task A_fault_that_names_another_queue_is_refused_and_kept_in_place()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var target = await kit.QueueAsync("-stage");
        var elsewhere = await kit.QueueAsync("-other-stage");
        var errorQueue = await kit.QueueAsync("-stage_error");
        var first = await kit.PublishFaultAsync(errorQueue, target);
        var foreign = await kit.PublishFaultAsync(errorQueue, elsewhere);
        var last = await kit.PublishFaultAsync(errorQueue, target);

        var report = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "test", CancellationToken.None);

        Assert.Equal((2, 1), (report.Replayed, report.Failed));
        var failed = Assert.Single(report.Messages, m => m.Outcome == ReplayOutcome.Failed);
        Assert.Equal(foreign.ToString(), failed.MessageId);
        Assert.Contains("target refused", failed.Detail);
        Assert.Equal([foreign], (await kit.DrainAsync(errorQueue)).Select(ErrorQueueTestKit.IdOf));
        Assert.Equal([first, last], (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
        Assert.Empty(await kit.DrainAsync(elsewhere));
    }
}
