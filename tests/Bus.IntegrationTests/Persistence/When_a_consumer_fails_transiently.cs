using Bus.IntegrationTests.Persistence.Support;

namespace Bus.IntegrationTests.Persistence;

public sealed class When_a_consumer_fails_transiently
{
    [Fact]
    public async Task Should_redeliver_after_the_configured_delay_and_succeed()
    {
        var queue = TestHost.UniqueName("flaky");
        var host = await TestHost.StartAsync(x => x.AddTestConsumer<FlakyConsumer, FlakyConsumerDefinition>(queue), scheduler: true);
        try
        {
            var key = Guid.NewGuid();
            await host.SendAsync(queue, new Flaky(key, FailuresBeforeSuccess: 1));

            var rows = await Eventually.WaitFor(() => TestDatabase.QueryAsync(
                "SELECT redelivery_count, recorded_at FROM bus.persistence_test_effects WHERE kind = 'flaky' AND key = @k",
                r => (Redelivery: r.GetInt32(0), At: r.GetDateTime(1)), ("k", key)), r => r.Count > 0, "the redelivered success");

            var success = Assert.Single(rows);
            Assert.Equal(1, success.Redelivery);
            Assert.Equal(2, FlakyConsumer.Attempts[key]);
            // Came back through the schedule, not an immediate retry: no earlier than the delay.
            Assert.True(success.At - FlakyConsumer.LastFailure[key] >= FlakyConsumer.RedeliveryDelay - TimeSpan.FromMilliseconds(100),
                $"redelivered after {success.At - FlakyConsumer.LastFailure[key]}");
        }
        finally { await host.StopQuietlyAsync(); await TestHost.DeleteQueuesAsync(queue); }
    }
}
