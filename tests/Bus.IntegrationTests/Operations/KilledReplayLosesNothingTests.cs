using System.Diagnostics;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// A busctl replay killed (SIGKILL, from outside) after the broker confirmed the copies of its first
/// batch and before their originals were acknowledged: every message is still in the error queue, in
/// order, the confirmed copies (that batch only) are in the target (the inbox deduplicates them by
/// MessageId), the audit shows the interrupted messages, and running the replay again finishes the job.
/// </summary>
public class KilledReplayLosesNothingTests
{
    [Fact]
    public async Task Kill_between_publish_and_acknowledge_leaves_every_message_in_the_error_queue_or_delivered()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var target = await kit.QueueAsync("-stage");
        var errorQueue = await kit.QueueAsync("-stage_error");
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add(await kit.PublishFaultAsync(errorQueue, target));

        var start = ErrorQueueTestKit.Busctl("errors", "replay", errorQueue, "--all");
        start.Environment["BUS_OPERATIONS_PAUSE_BEFORE_ACK"] = "1";
        start.Environment["Bus__Operations__ReplayBatchSize"] = "2";
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            string? line;
            while ((line = await process.StandardError.ReadLineAsync()) is not null && !line.StartsWith("paused-before-ack", StringComparison.Ordinal)) { }
            Assert.NotNull(line);
            Assert.Equal($"paused-before-ack {ids[0]}", line);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // The broker requeues what the dead connection held, at the original positions.
        await kit.WaitForCountAsync(errorQueue, 5);
        Assert.Equal(ids, (await kit.PeekAsync(errorQueue)).Select(m => Guid.Parse(m.MessageId!)));
        Assert.Equal(ids.Take(2), (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
        var interrupted = await kit.AuditAsync(ids);
        Assert.Equal(ids.Take(2).Select(id => (id.ToString(), "publishing")), interrupted.Select(a => (a.MessageId, a.Outcome)));

        var (exit, _, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "replay", errorQueue, "--all");
        Assert.True(exit == 0, stderr);
        Assert.Equal(0u, await kit.CountAsync(errorQueue));
        Assert.Equal(ids, (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
    }
}
