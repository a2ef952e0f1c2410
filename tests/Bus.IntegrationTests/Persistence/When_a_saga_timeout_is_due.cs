using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_saga_timeout_is_due
{
    [Fact]
    public async Task Should_fire_the_scheduled_event_and_move_the_saga()
    {
        var queue = TestHost.UniqueName("timeout");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue), scheduler: true);
        try
        {
            var id = Guid.NewGuid();
            await host.SendAsync(queue, new SagaStarted(id));
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "Active", "the saga");
            await host.SendAsync(queue, new SagaTimeoutArmed(id));

            var saga = await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "TimedOut", "the timeout");
            Assert.Equal("TimedOut", saga!.CurrentState);
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
