using Bus.Contracts.Restore;
using Bus.Restore.SpotTests;
using MassTransit;
using MassTransit.Testing;

namespace Bus.Tests.Restore;

/// <summary>The spot test saga with a short SpotTestTimeout on the in-memory harness: the restore it asks for never answers in time.</summary>
public sealed class When_a_spot_tests_restore_never_ends : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(300);

    private sealed class OneObject : ISpotTestRegistry
    {
        public Task<SpotTestObject?> PickAsync(string institution, Guid seed, long maxBytes, CancellationToken ct) =>
            Task.FromResult<SpotTestObject?>(new SpotTestObject(7, "test.edu/bag", "bag", "aptrust", 1000));
    }

    private SpotTestSagaHarness _world = null!;
    private ITestHarness _harness = null!;
    private ISagaStateMachineTestHarness<SpotTestStateMachine, SpotTestState> _sagas = null!;

    public async Task InitializeAsync()
    {
        _world = await SpotTestSagaHarness.StartAsync(new OneObject(), new SpotTestOptions { SpotTestTimeout = Timeout });
        (_harness, _sagas) = (_world.Harness, _world.Sagas);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<SpotTestState> WaitForAsync(Guid id, Func<SpotTestStateMachine, State> state) => _world.WaitForAsync(id, state);

    [Fact]
    public async Task It_fails_with_the_reason_after_the_timeout_and_the_finish_step_raises_the_alert()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@h", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Restoring);

        // No restore outcome: the timeout ends the wait and sends the finish step (which deletes and raises the alert).
        var finishing = await WaitForAsync(id, m => m.Finishing);
        Assert.Equal(SpotTestOutcomes.Failed, finishing.Outcome);
        Assert.Contains($"the restore did not end within {Timeout}", finishing.Reason, StringComparison.Ordinal);
        Assert.Null(finishing.RestoreBucket);
        Assert.True(await _harness.Sent.Any<FinishSpotTest>(s => s.Context.Message.SpotTestId == id));

        await _harness.Bus.Publish(new SpotTestCleanedUp(id));
        await WaitForAsync(id, m => m.Failed);
        Assert.True(await _harness.Published.Any<SpotTestFinished>(p => p.Context.Message.SpotTestId == id && p.Context.Message.Outcome == SpotTestOutcomes.Failed));
    }

    [Fact]
    public async Task A_tar_the_restore_writes_after_the_timeout_is_sent_to_the_finish_step_to_be_deleted()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@h", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Finishing);
        await _harness.Bus.Publish(new SpotTestCleanedUp(id));
        await WaitForAsync(id, m => m.Failed);

        var key = $"spot-tests/test.edu/bag-{id:N}.tar";
        await _harness.Bus.Publish(new RestoreCompleted(id, "test.edu/bag", "bus-restore", key, 10_240, 3, DateTimeOffset.UtcNow));
        var deadline = DateTime.UtcNow + _harness.TestTimeout;
        while (_harness.Sent.Select<FinishSpotTest>(s => s.Context.Message.SpotTestId == id, HarnessWaits.Recorded).Count() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the finish step was not sent again for the late tar");
            await Task.Delay(20);
        }

        var failed = _sagas.Sagas.Contains(id)!;
        Assert.Equal("Failed", failed.CurrentState);
        Assert.Equal(("bus-restore", key), (failed.RestoreBucket, failed.RestoreKey));
        Assert.Equal(2, _harness.Sent.Select<FinishSpotTest>(s => s.Context.Message.SpotTestId == id, HarnessWaits.Recorded).Count());
        Assert.False(await _harness.Sent.Any<ValidateSpotTest>(s => s.Context.Message.SpotTestId == id, HarnessWaits.Recorded));
    }

    [Fact]
    public async Task A_restore_that_ends_in_time_is_validated_and_the_timeout_is_cancelled()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new RunSpotTest(id, "test.edu", "sweep@h", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Restoring);
        await _harness.Bus.Publish(new RestoreCompleted(id, "test.edu/bag", "bus-restore", $"spot-tests/test.edu/bag-{id:N}.tar", 1, 1, DateTimeOffset.UtcNow));

        var validating = await WaitForAsync(id, m => m.Validating);
        Assert.Null(validating.TimeoutTokenId);
    }
}
