using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// One batch of a replay in which the broker refuses a copy in the middle (basic.nack: the target
/// queue rejects publishes that would exceed its size limit) while accepting the copies before and
/// after it: exactly the refused message stays in the error queue, the others are delivered once.
/// </summary>
public class NackedCopyKeepsOriginalTests
{
    [Fact]
    public async Task A_nacked_copy_in_the_middle_of_a_batch_leaves_its_original_in_the_error_queue()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        // RabbitMQ checks each publish against the limit: a copy too large for the room left is
        // nacked, smaller ones published after it still fit.
        var target = await kit.QueueAsync("-stage", new Dictionary<string, object?>
        {
            ["x-max-length-bytes"] = 20_000, ["x-overflow"] = "reject-publish",
        });
        var errorQueue = await kit.QueueAsync("-stage_error");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await kit.PublishFaultAsync(errorQueue, target));
        var oversized = await kit.PublishFaultAsync(errorQueue, target, bodyPadding: 30_000);
        ids.Add(oversized);
        for (var i = 0; i < 3; i++) ids.Add(await kit.PublishFaultAsync(errorQueue, target));

        var report = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "test", CancellationToken.None);

        Assert.Equal((6, 1), (report.Replayed, report.Failed));
        var failed = Assert.Single(report.Messages, m => m.Outcome == ReplayOutcome.Failed);
        Assert.Equal((oversized.ToString(), 3), (failed.MessageId, failed.Position));
        Assert.Contains("basic.nack", failed.Detail);
        Assert.Equal([oversized], (await kit.DrainAsync(errorQueue)).Select(ErrorQueueTestKit.IdOf));
        Assert.Equal(ids.Where(id => id != oversized), (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
        var audit = await kit.AuditAsync(ids);
        Assert.Equal(ids.Select(id => (id.ToString(), id == oversized ? "failed" : "replayed")), audit.Select(a => (a.MessageId, a.Outcome)));
    }
}
