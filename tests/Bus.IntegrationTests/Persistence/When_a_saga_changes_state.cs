using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_saga_changes_state
{
    [Fact]
    public async Task Should_record_exactly_the_transitions_that_happened()
    {
        var queue = TestHost.UniqueName("transitions");
        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue), scheduler: true);
        try
        {
            var id = Guid.NewGuid();
            var started = Guid.NewGuid();
            await host.SendAsync(queue, new SagaStarted(id), started);
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "Active", "the saga");
            // Applied without a state change: must leave no transition.
            await host.SendAsync(queue, new SagaIncremented(id));
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter == 2, "the increment");
            await host.SendAsync(queue, new SagaTimeoutArmed(id));
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.CurrentState == "TimedOut", "the timeout");

            var transitions = await TestDatabase.QueryAsync(
                "SELECT coalesce(from_state, '-'), to_state, coalesce(event, '-'), message_id, saga_type FROM bus.saga_transitions WHERE correlation_id = @id ORDER BY id",
                r => (From: r.GetString(0), To: r.GetString(1), Event: r.GetString(2), MessageId: r.IsDBNull(3) ? (Guid?)null : r.GetGuid(3), Type: r.GetString(4)),
                ("id", id));

            // The first row is the instance's creation (MassTransit enters Initial before the event's activities).
            Assert.Equal(
                [("-", "Initial", "Started"), ("Initial", "Active", "Started"), ("Active", "Waiting", "TimeoutArmed"), ("Waiting", "TimedOut", "Timeout.Received")],
                transitions.Select(t => (t.From, t.To, t.Event)).ToList());
            Assert.Equal(started, transitions[0].MessageId);
            Assert.All(transitions, t => Assert.Equal(nameof(ConformanceState), t.Type));
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
