using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_an_event_correlates_by_query
{
    [Fact]
    public async Task Should_apply_it_to_every_matching_instance_and_no_other()
    {
        var queue = TestHost.UniqueName("query");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue));
        try
        {
            var batch = Guid.NewGuid();
            var members = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
            var outsider = Guid.NewGuid();
            foreach (var id in members) await host.SendAsync(queue, new SagaStarted(id, batch));
            await host.SendAsync(queue, new SagaStarted(outsider, Guid.NewGuid()));
            foreach (var id in members.Append(outsider))
                await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "Active", $"saga {id}");

            await host.SendAsync(queue, new SagaBatchClosed(batch));

            foreach (var id in members)
                await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "Closed", $"member {id} closed");
            Assert.Equal("Active", (await Registrations.LoadSagaAsync(outsider))!.CurrentState);
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
