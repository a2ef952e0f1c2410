using Bus.Registry.Model;

namespace Bus.IntegrationTests.Fixity;

[Collection(nameof(SweepCollection))]
public class When_the_sweep_runs
{
    [Fact]
    public async Task Should_queue_only_copies_whose_last_check_is_older_than_the_interval()
    {
        await using var stack = await FixityStack.CreateAsync();
        await using var registry = SweepHarness.Registry();
        // Checked recently although stored earliest: the oldest-first order would reach it first if the due rule were ignored.
        var recent = await stack.PreserveAsync("recent.bin", 16, SweepHarness.StoredAt.AddDays(-1));
        await stack.Institution.Store.MarkFixityAsync(recent.PrimaryCopyId, DateTimeOffset.UtcNow, Outcomes.Success);
        await stack.Institution.Store.MarkFixityAsync(recent.ReplicaCopyId, DateTimeOffset.UtcNow, Outcomes.Success);
        var due = new List<PreservedFile>();
        for (var i = 0; i < 3; i++) due.Add(await stack.PreserveAsync($"due{i}.bin", 16, SweepHarness.StoredAt.AddMinutes(i)));
        await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));

        var result = await SweepHarness.Sweeper(stack, registry, bus.Bus).RunAsync(SweepHarness.OlderThan, 100, "test", CancellationToken.None);

        var expected = due.SelectMany(f => new[] { f.PrimaryCopyId, f.ReplicaCopyId }).Order().ToList();
        var queued = (await stack.Ledger.InFlightAsync([.. expected, recent.PrimaryCopyId, recent.ReplicaCopyId], CancellationToken.None))
            .Select(r => r.StorageRecordId).Order().ToList();
        Assert.Equal(expected, queued);
        Assert.Equal(6, result.Claimed);
        Assert.Equal(6, result.Queued);
    }
}

/// <summary>Stops a test's bus when the test ends.</summary>
public sealed class AsyncBus(MassTransit.IBusControl bus) : IAsyncDisposable
{
    public MassTransit.IBusControl Bus { get; } = bus;
    public async ValueTask DisposeAsync() => await Bus.StopAsync();
}
