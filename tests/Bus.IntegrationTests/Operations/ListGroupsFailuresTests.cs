using Bus.Operations.ErrorQueues;

namespace Bus.IntegrationTests.Operations;

public class ListGroupsFailuresTests
{
    [Fact]
    public async Task List_counts_error_and_skipped_queues_and_groups_by_message_and_exception_type_without_reordering()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-a_error");
        var skipped = await kit.QueueAsync("-b_skipped");
        await kit.QueueAsync("-c"); // an ordinary queue: not listed
        var t0 = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        const string ping = "urn:message:Bus.Contracts.Diagnostics:Ping";
        const string pong = "urn:message:Bus.Contracts.Diagnostics:Pong";
        var order = new List<Guid>
        {
            await kit.PublishFaultAsync(errorQueue, "a", ping, "System.InvalidOperationException", t0.AddMinutes(5)),
            await kit.PublishFaultAsync(errorQueue, "a", pong, "System.TimeoutException", t0.AddMinutes(1)),
            await kit.PublishFaultAsync(errorQueue, "a", ping, "System.InvalidOperationException", t0),
            await kit.PublishFaultAsync(errorQueue, "a", ping, "System.InvalidOperationException", t0.AddMinutes(9)),
            await kit.PublishFaultAsync(errorQueue, "a", pong, "System.TimeoutException", t0.AddMinutes(2)),
            await kit.PublishFaultAsync(errorQueue, "a", ping, "System.TimeoutException", t0.AddMinutes(3)),
        };
        await kit.PublishFaultAsync(skipped, "b", pong, exceptionType: null); // skipped: no fault headers, type from the envelope
        await kit.PublishFaultAsync(skipped, "b", pong, exceptionType: null);

        var queues = await kit.Get<ErrorQueueService>().ListAsync(kit.Prefix, CancellationToken.None);

        Assert.Equal([errorQueue, skipped], queues.Select(q => q.Name));
        Assert.Equal((6L, 6), (queues[0].Messages, queues[0].Scanned));
        Assert.Equal(
            [
                new FailureGroup(ping, "System.InvalidOperationException", 3, t0, t0.AddMinutes(9)),
                new FailureGroup(pong, "System.TimeoutException", 2, t0.AddMinutes(1), t0.AddMinutes(2)),
                new FailureGroup(ping, "System.TimeoutException", 1, t0.AddMinutes(3), t0.AddMinutes(3)),
            ],
            queues[0].Groups);
        Assert.Equal([new FailureGroup(pong, "(none)", 2, null, null)], queues[1].Groups);
        Assert.Equal(order, (await kit.DrainAsync(errorQueue)).Select(ErrorQueueTestKit.IdOf));
    }
}
