using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

/// <summary>
/// A saga's inbox claim travels with its row lock; a duplicate must still skip the state machine,
/// whether the second delivery comes after the first committed or while it holds the lock.
/// </summary>
public sealed class When_a_saga_message_is_delivered_twice
{
    [Fact]
    public async Task Should_apply_it_once()
    {
        var queue = TestHost.UniqueName("saga-twice");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue));
        try
        {
            var id = Guid.NewGuid();
            var duplicate = Guid.NewGuid();
            await host.SendAsync(queue, new SagaIncremented(id));
            await Task.WhenAll(host.SendAsync(queue, new SagaIncremented(id), duplicate), host.SendAsync(queue, new SagaIncremented(id), duplicate));
            var last = Guid.NewGuid();
            await host.SendAsync(queue, new SagaIncremented(id), last);
            await host.SendAsync(queue, new SagaIncremented(id), last);

            await Eventually.WaitFor(() => TestDatabase.CountAsync(
                "SELECT coalesce(sum(receive_count), 0) FROM bus.inbox_state WHERE message_id = ANY(@m)", ("m", new[] { duplicate, last })),
                n => n >= 4, "all five deliveries");

            var saga = await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter >= 3, "three increments");
            Assert.Equal(3, saga!.Counter);
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
