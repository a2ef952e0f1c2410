namespace Bus.IntegrationTests.Fixity;

[Collection(nameof(SweepCollection))]
public class When_two_sweeps_run_at_once
{
    [Fact]
    public async Task Should_queue_each_copy_once()
    {
        await using var stack = await FixityStack.CreateAsync();
        await using var registry = SweepHarness.Registry();
        var files = new List<PreservedFile>();
        for (var i = 0; i < 10; i++) files.Add(await stack.PreserveAsync($"f{i}.bin", 16, SweepHarness.StoredAt.AddMinutes(i)));
        await using var busA = new AsyncBus(await SweepHarness.StartBusAsync(stack));
        await using var busB = new AsyncBus(await SweepHarness.StartBusAsync(stack));

        // Two hosts' sweeps at the same moment, in small batches so their claims interleave.
        var results = await Task.WhenAll(
            Task.Run(() => SweepHarness.Sweeper(stack, registry, busA.Bus, batchSize: 2).RunAsync(SweepHarness.OlderThan, 20, "host-a", CancellationToken.None)),
            Task.Run(() => SweepHarness.Sweeper(stack, registry, busB.Bus, batchSize: 2).RunAsync(SweepHarness.OlderThan, 20, "host-b", CancellationToken.None)));

        var copies = files.SelectMany(f => new[] { f.PrimaryCopyId, f.ReplicaCopyId }).ToList();
        Assert.Equal(20, results.Sum(r => r.Queued));
        Assert.Equal(20, results.Sum(r => r.Claimed));
        var inFlight = await stack.Ledger.InFlightAsync(copies, CancellationToken.None);
        Assert.Equal(copies.Order(), inFlight.Select(r => r.StorageRecordId).Order());

        // A third sweep after the claims' leases ran out, while those checks are still in flight: the
        // ledger's one-in-flight-per-copy index refuses every copy, so nothing is queued twice.
        await using (var expire = new Npgsql.NpgsqlCommand("UPDATE registry.storage_records SET fixity_claimed_until = NULL WHERE id = ANY(@ids)", stack.Institution.Connection))
        {
            expire.Parameters.AddWithValue("ids", copies.ToArray());
            await expire.ExecuteNonQueryAsync();
        }
        var third = await SweepHarness.Sweeper(stack, registry, busA.Bus).RunAsync(SweepHarness.OlderThan, 20, "host-c", CancellationToken.None);
        Assert.Equal(20, third.Claimed);
        Assert.Equal(0, third.Queued);
    }
}
