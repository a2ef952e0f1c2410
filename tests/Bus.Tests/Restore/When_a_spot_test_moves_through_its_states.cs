using Bus.Contracts.Restore;
using Bus.Restore.SpotTests;
using MassTransit;
using MassTransit.Testing;

namespace Bus.Tests.Restore;

/// <summary>The spot test saga alone on the in-memory harness (the restore and the steps are played by the test).</summary>
public sealed class When_a_spot_test_moves_through_its_states : IAsyncLifetime
{
    private sealed class OneObject(SpotTestObject? obj) : ISpotTestRegistry
    {
        public int Picks;
        public Task<SpotTestObject?> PickAsync(string institution, Guid seed, long maxBytes, CancellationToken ct)
        {
            Interlocked.Increment(ref Picks);
            return Task.FromResult(obj is not null && obj.Bytes <= maxBytes && obj.Identifier.StartsWith(institution + "/", StringComparison.Ordinal) ? obj : null);
        }
    }

    private readonly OneObject _registry = new(new SpotTestObject(7, "test.edu/bag", "bag", "aptrust", 1000));
    private SpotTestSagaHarness _world = null!;
    private ITestHarness _harness = null!;
    private ISagaStateMachineTestHarness<SpotTestStateMachine, SpotTestState> _sagas = null!;

    public async Task InitializeAsync()
    {
        _world = await SpotTestSagaHarness.StartAsync(_registry, new SpotTestOptions { SpotTestMaxBytes = 5000 });
        (_harness, _sagas) = (_world.Harness, _world.Sagas);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<SpotTestState> WaitForAsync(Guid id, Func<SpotTestStateMachine, State> state) => _world.WaitForAsync(id, state);

    [Fact]
    public async Task It_restores_the_picked_object_to_the_spot_test_prefix_validates_and_cleans_up()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@h", DateTimeOffset.UtcNow));
        var restoring = await WaitForAsync(id, m => m.Restoring);
        var expectedKey = $"spot-tests/test.edu/bag-{id:N}.tar";
        Assert.Equal("test.edu/bag", restoring.ObjectIdentifier);
        Assert.True(await _harness.Sent.Any<RestoreObject>(s => s.Context.Message.RestoreId == id && s.Context.Message.DestinationKey == expectedKey));

        await _harness.Bus.Publish(new RestoreCompleted(id, "test.edu/bag", "bus-restore", expectedKey, 10_240, 3, DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Validating);
        Assert.True(await _harness.Sent.Any<ValidateSpotTest>(s => s.Context.Message.SpotTestId == id));

        await _harness.Bus.Publish(new SpotTestValidated(id, true, null));
        await WaitForAsync(id, m => m.Finishing);
        await _harness.Bus.Publish(new SpotTestCleanedUp(id));
        var passed = await WaitForAsync(id, m => m.Passed);

        Assert.Equal(SpotTestOutcomes.Passed, passed.Outcome);
        Assert.NotNull(passed.FinishedAt);
        Assert.True(await _harness.Published.Any<SpotTestFinished>(p => p.Context.Message.SpotTestId == id && p.Context.Message.Outcome == SpotTestOutcomes.Passed));
    }

    [Fact]
    public async Task The_same_request_again_picks_and_restores_nothing_more()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@h", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Restoring);

        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@other", DateTimeOffset.UtcNow));
        Assert.True(await _harness.Consumed.Any<RunSpotTest>(c => c.Context.Message.RequestedBy == "sweep@other"));

        Assert.Single(_harness.Sent.Select<RestoreObject>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded));
        Assert.Equal("sweep@h", _sagas.Sagas.Contains(id)!.RequestedBy);
    }

    [Fact]
    public async Task A_failed_restore_fails_the_spot_test_with_the_reason_after_the_finish_step()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "busctl@ops", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Restoring);

        await _harness.Bus.Publish(new RestoreFailed(id, "test.edu/bag", "no copy of 'data/a.txt' matches", DateTimeOffset.UtcNow));
        var finishing = await WaitForAsync(id, m => m.Finishing);
        Assert.Equal(SpotTestOutcomes.Failed, finishing.Outcome);
        Assert.True(await _harness.Sent.Any<FinishSpotTest>(s => s.Context.Message.SpotTestId == id));
        await _harness.Bus.Publish(new SpotTestCleanedUp(id));

        var failed = await WaitForAsync(id, m => m.Failed);
        Assert.Contains("no copy of 'data/a.txt' matches", failed.Reason, StringComparison.Ordinal);
        Assert.True(await _harness.Published.Any<SpotTestFinished>(p => p.Context.Message.SpotTestId == id && p.Context.Message.Outcome == SpotTestOutcomes.Failed));
    }

    [Theory]
    [InlineData("empty.edu")]
    [InlineData("Not An Institution")]
    public async Task Nothing_to_pick_or_a_bad_institution_is_skipped_with_the_reason_and_restores_nothing(string institution)
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, institution, "busctl@ops", DateTimeOffset.UtcNow));

        var skipped = await WaitForAsync(id, m => m.Skipped);

        Assert.Equal(SpotTestOutcomes.Skipped, skipped.Outcome);
        Assert.False(string.IsNullOrEmpty(skipped.Reason));
        Assert.False(await _harness.Sent.Any<RestoreObject>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded));
    }

    [Fact]
    public async Task A_restore_outcome_that_is_not_a_spot_tests_is_discarded()
    {
        var other = NewId.NextGuid();
        await _harness.Bus.Publish(new RestoreCompleted(other, "test.edu/bag", "bus-restore", "test.edu/bag.tar", 1, 1, DateTimeOffset.UtcNow));

        Assert.True(await _harness.Consumed.Any<RestoreCompleted>(c => c.Context.Message.RestoreId == other));
        // Contains waits for the saga to appear: read what exists instead.
        Assert.Empty(_sagas.Sagas.Select(s => s.CorrelationId == other, HarnessWaits.Recorded));
    }
}
