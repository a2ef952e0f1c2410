using Bus.Operations.Archive;
using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

public class DryRunChangesNothingTests
{
    [Fact]
    public async Task Dry_run_replay_and_archive_report_the_selection_and_leave_queue_target_audit_and_archive_untouched()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var target = await kit.QueueAsync("-stage");
        var errorQueue = await kit.QueueAsync("-stage_error");
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add(await kit.PublishFaultAsync(errorQueue, target, exceptionType: i % 2 == 0 ? "System.TimeoutException" : "System.InvalidOperationException"));
        var before = await kit.PeekAsync(errorQueue);
        var selector = MessageSelector.Create(null, false, "TimeoutException", null);

        var replay = await kit.Get<ErrorQueueService>().ReplayAsync(errorQueue, selector, dryRun: true, "test", CancellationToken.None);
        var archive = await kit.Get<ErrorArchive>().ArchiveAsync(errorQueue, selector, dryRun: true, "test", CancellationToken.None);

        Assert.Equal([ids[0], ids[2], ids[4]], replay.Messages.Select(m => Guid.Parse(m.MessageId!)));
        Assert.All(replay.Messages, m => Assert.Equal((ReplayOutcome.WouldReplay, target), (m.Outcome, m.Target)));
        Assert.Equal([ids[0], ids[2], ids[4]], archive.Messages.Select(m => Guid.Parse(m.MessageId!)));
        var after = await kit.PeekAsync(errorQueue);
        Assert.Equal(before.Select(m => m.MessageId), after.Select(m => m.MessageId));
        Assert.All(before.Zip(after), p => Assert.Equal(p.First.Body, p.Second.Body));
        Assert.Equal(0u, await kit.CountAsync(target));
        Assert.Empty(await kit.AuditAsync(ids));
        Assert.DoesNotContain(await kit.Get<ErrorArchive>().ListAsync(errorQueue, CancellationToken.None), r => r.Queue == errorQueue);
    }
}
