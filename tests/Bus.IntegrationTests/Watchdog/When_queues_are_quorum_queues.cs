using Bus.IntegrationTests.Ingest;

namespace Bus.IntegrationTests.Watchdog;

/// <summary>
/// Issue 16 item 5: with Bus:RabbitMq:QueueType=quorum, in a virtual host made as docs/operations.md §15 says (default
/// queue type quorum, a delivery-limit policy), every saga and step queue is a quorum queue under the delivery limit,
/// and an ingest runs through them as usual.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_queues_are_quorum_queues
{
    [Fact]
    public async Task An_ingest_completes_and_every_bus_queue_is_a_quorum_queue_with_a_delivery_limit()
    {
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string> { ["Bus__RabbitMq__QueueType"] = "quorum" },
            defaultQueueType: "quorum",
            prepareVirtualHost: vhost => vhost.SetQueuePolicyAsync("bus-delivery-limit", ".*", """{"delivery-limit":7}"""));
        var (exit, result) = await stack.SubmitAndWaitAsync(new TestBag("quorum-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(3));
        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");

        // The management API's queue figures lag by its statistics interval: wait until it shows the policy on every queue.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        List<KeyValuePair<string, (string Type, System.Text.Json.JsonElement Policy)>> bus;
        while (true)
        {
            bus = (await stack.VirtualHost.QueueDeclarationsAsync()).Where(q => q.Key.StartsWith("ingest-", StringComparison.Ordinal)).ToList();
            if (bus.Count > 0 && bus.All(q => q.Value.Policy.TryGetProperty("delivery-limit", out _)) || DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        // The saga's queue and each step's, whatever the ingest used.
        Assert.Contains(bus, q => q.Key == "ingest-state");
        Assert.Contains(bus, q => q.Key == "ingest-store");
        foreach (var (name, (type, policy)) in bus)
        {
            Assert.True(type == "quorum", $"{name} is {type}");
            Assert.True(policy.TryGetProperty("delivery-limit", out var limit) && limit.GetInt32() == 7, $"{name}: policy {policy}");
        }
    }
}
