using System.Collections.Concurrent;
using System.Diagnostics;
using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

/// <summary>
/// What one saga event costs the database, read from Npgsql's own trace of the commands it sent: round
/// trips, not SQL work, are what a busy machine pays for. Two: the inbox claim with the row lock and load,
/// then the saga's writes with COMMIT.
/// </summary>
public sealed class When_a_saga_event_is_handled
{
    private static readonly ActivitySource Test = new("Bus.IntegrationTests.RoundTrips");

    [Fact]
    public async Task Should_take_two_round_trips_to_postgres()
    {
        var queue = TestHost.UniqueName("round-trips");
        var commands = new ConcurrentQueue<Activity>();
        ActivityTraceId? trace = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == "Npgsql" && a.TraceId == trace) commands.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);

        var host = await TestHost.StartAsync(x => x.AddConformanceSaga(queue));
        try
        {
            var id = Guid.NewGuid();
            await host.SendAsync(queue, new SagaIncremented(id));
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter >= 1, "the instance");

            // MassTransit carries this trace to the consumer, so Npgsql's commands for the event join it.
            using (var root = Test.StartActivity("second event"))
            {
                trace = root!.TraceId;
                await host.SendAsync(queue, new SagaIncremented(id));
            }
            await Eventually.WaitFor(() => Registrations.LoadSagaAsync(id), s => s?.Counter >= 2, "the second event");
            await Eventually.WaitFor(() => Task.FromResult(commands.Count), n => n >= 2, "its commands' trace");
            await Task.Delay(500);

            var sent = commands.Select(a => (string)a.GetTagItem("db.query.text")!).ToList();
            Assert.Equal(2, sent.Count);
            Assert.Contains("bus.inbox_state", sent[0]);
            Assert.Contains("FOR UPDATE", sent[0]);
            Assert.Contains($"UPDATE \"bus\".\"{ConformanceStateMap.Table}\"", sent[1]);
            Assert.EndsWith("COMMIT", sent[1].TrimEnd(';', ' ', '\n'));
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
