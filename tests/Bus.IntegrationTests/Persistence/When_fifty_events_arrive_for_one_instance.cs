using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_fifty_events_arrive_for_one_instance
{
    [Fact]
    public async Task Should_apply_every_event_with_pessimistic_locking() => await RunAsync(null);

    [Fact]
    public async Task Should_apply_every_event_with_optimistic_xmin_checks() =>
        await RunAsync(r => r.ConcurrencyMode = Bus.Persistence.Sagas.SagaConcurrencyMode.Optimistic);

    private static async Task RunAsync(Action<Bus.Persistence.Sagas.PostgresSagaRepositoryOptions>? repository)
    {
        var queue = TestHost.UniqueName("fifty");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue, repository));
        try
        {
            var id = Guid.NewGuid();
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.SendAsync(queue, new SagaIncremented(id))));

            var saga = await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter >= 50, "fifty increments");
            Assert.Equal(50, saga!.Counter);
            Assert.Equal("Active", saga.CurrentState);
            Assert.Equal(1, await Registrations.SagaRowsAsync(id));
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
