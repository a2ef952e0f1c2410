using MassTransit;
using Bus.IntegrationTests.Support;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// Issue 13 item 8: after a crash the outbox sends a group again (same MessageIds), and a late report can
/// reach a saga that has moved on. Duplicates and stale events are acknowledged and logged; none is left in
/// an _error or _skipped queue for an operator to judge.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_step_messages_arrive_again_after_the_ingest_completed
{
    [Fact]
    public async Task Every_duplicate_and_stale_message_is_acknowledged_and_logged_not_parked()
    {
        await using var stack = await IngestStack.StartAsync();
        var (exit, result) = await stack.SubmitAndWaitAsync(new TestBag("again-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");
        var ingestId = result.GetProperty("ingestId").GetGuid();
        var vhost = stack.VirtualHost.Name;

        // What a crash between send and "delivered" leaves: every group this ingest's vhost committed is sent again,
        // every step command (StoreFiles, CleanUpIngest, ...) and every step event, with their original MessageIds.
        var resent = await stack.QueryAsync("""
            SELECT m.message_id, m.message_type FROM bus.outbox_message m JOIN bus.outbox_state s ON s.outbox_id = m.outbox_id
            WHERE s.virtual_host = @v
            """, r => (Id: r.GetGuid(0), Type: r.GetString(1)), ("v", vhost));
        var storeFiles = resent.Single(m => m.Type.Contains(":StoreFiles", StringComparison.Ordinal)).Id;
        var cleanUp = resent.Single(m => m.Type.Contains(":CleanUpIngest", StringComparison.Ordinal)).Id;
        await stack.ExecuteAsync("UPDATE bus.outbox_state SET delivered_at = NULL WHERE virtual_host = @v", ("v", vhost));
        // A stale report with a new MessageId: compensation news for an ingest that completed (its state has no use for it).
        var stale = await stack.VirtualHost.SendEnvelopeAsync("ingest-state", MessageUrn.ForType<IngestCompensated>().ToString(),
            new { ingestId, stagingDeleted = 0, copiesDeleted = 0, at = DateTimeOffset.UtcNow });

        var ids = resent.Select(m => m.Id).ToArray();
        await WaitForAsync(async () => (await stack.QueryAsync(
            "SELECT count(*) FILTER (WHERE receive_count < 2) FROM bus.inbox_state WHERE message_id = ANY(@ids)", r => r.GetInt64(0), ("ids", ids))).Single() == 0
            && (await stack.QueryAsync("SELECT count(*) FROM bus.outbox_state WHERE virtual_host = @v AND delivered_at IS NULL", r => r.GetInt64(0), ("v", vhost))).Single() == 0,
            "every message delivered and consumed a second time", stack);
        await WaitForAsync(() => Task.FromResult(
                stack.Host!.Process.Stdout.Contains($"Duplicate message {storeFiles}", StringComparison.Ordinal)
                && stack.Host.Process.Stdout.Contains($"Duplicate message {cleanUp}", StringComparison.Ordinal)
                && stack.Host.Process.Stdout.Contains($"message {stale})", StringComparison.Ordinal)),
            "log lines naming the duplicates and the stale event", stack);
        // Every queue drained (acknowledged), then: nothing in any _error or _skipped queue of the vhost.
        await WaitForAsync(async () => (await stack.VirtualHost.QueuesAsync()).Where(q => !IsParking(q.Key)).All(q => q.Value == 0),
            "every queue of the vhost drained", stack);
        var parked = (await stack.VirtualHost.QueuesAsync()).Keys.Where(IsParking).ToList();
        foreach (var queue in parked)
            Assert.True(await stack.VirtualHost.MessageCountAsync(queue) == 0, $"{queue} holds messages\nhost: {stack.Host!.Process.Stdout}");
        Assert.Equal("Completed", (await stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE correlation_id = @id",
            r => r.GetString(0), ("id", ingestId))).Single());
    }

    private static bool IsParking(string queue) => queue.EndsWith("_error", StringComparison.Ordinal) || queue.EndsWith("_skipped", StringComparison.Ordinal);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, IngestStack stack)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}\nhost: {stack.Host!.Process.Stdout}");
            await Task.Delay(250);
        }
    }
}
