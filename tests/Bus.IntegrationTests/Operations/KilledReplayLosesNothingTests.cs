using System.Diagnostics;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// A busctl replay killed (SIGKILL, from outside) after the broker confirmed a copy and before the
/// error-queue message was acknowledged: every message is still in the error queue, in order, the
/// confirmed copy is in the target (the inbox deduplicates it by MessageId), the audit shows the
/// interrupted message, and running the replay again finishes the job.
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
        Assert.Equal([ids[0]], (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
        var interrupted = Assert.Single(await kit.AuditAsync(ids));
        Assert.Equal((ids[0].ToString(), "publishing"), (interrupted.MessageId, interrupted.Outcome));

        var (exit, _, stderr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "replay", errorQueue, "--all");
        Assert.True(exit == 0, stderr);
        Assert.Equal(0u, await kit.CountAsync(errorQueue));
        Assert.Equal(ids, (await kit.DrainAsync(target)).Select(ErrorQueueTestKit.IdOf));
    }
}
