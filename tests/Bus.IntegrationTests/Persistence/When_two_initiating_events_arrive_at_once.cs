using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_two_initiating_events_arrive_at_once
{
    [Fact]
    public async Task Should_create_one_instance_with_both_events_applied()
    {
        var queue = TestHost.UniqueName("initiate");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue));
        try
        {
            // Several ids at once so the insert race is certain to happen for some of them.
            var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
            await Task.WhenAll(ids.SelectMany(id => new[] { host.SendAsync(queue, new SagaStarted(id)), host.SendAsync(queue, new SagaStarted(id)) }));

            foreach (var id in ids)
            {
                var saga = await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter >= 2, $"both starts of {id}");
                Assert.Equal(2, saga!.Counter);
                Assert.Equal(1, await Registrations.SagaRowsAsync(id));
            }
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
