using Bus.Contracts.Restore;
using Bus.Restore;
using Bus.Restore.StateMachines;
using Bus.Restore.StateMachines.Messages;
using Bus.Tests.Workflows;
using Bus.Workflows.Coordination;
using Bus.Workflows.Steps;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Tests.Restore;

/// <summary>The restore saga alone on the in-memory harness (its steps are played by the test): lock, cold waits, outcomes.</summary>
public sealed class When_a_restore_moves_through_its_states : IAsyncLifetime
{
    private const string Bag = "test.edu/bag";
    private readonly InMemoryItemLocks _locks = new();
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;
    private ISagaStateMachineTestHarness<RestoreStateMachine, RestoreState> _sagas = null!;
    private RestoreStateMachine _machine = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IItemLocks>(_locks);
        services.AddSingleton(Options.Create(new RestoreOptions
        {
            ColdPollInterval = TimeSpan.FromMilliseconds(50), ColdPollMaxInterval = TimeSpan.FromMilliseconds(100), MaxColdPolls = 2,
            ItemLockRetryDelay = TimeSpan.FromMilliseconds(50), MaxItemLockWaits = 2,
        }));
        services.AddSingleton<IEndpointOutbox>(HarnessOutbox.InMemory);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddDelayedMessageScheduler();
            x.AddSagaStateMachine<RestoreStateMachine, RestoreState, RestoreStateMachineDefinition>().InMemoryRepository();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });
        _provider = services.BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        _harness.Patient();
        await _harness.Start();
        _sagas = _harness.GetSagaStateMachineHarness<RestoreStateMachine, RestoreState>();
        _machine = _provider.GetRequiredService<RestoreStateMachine>();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    private async Task<RestoreState> WaitForAsync(Guid id, Func<RestoreStateMachine, State> state)
    {
        var found = await _sagas.Exists(id, state, _harness.TestTimeout);
        Assert.True(found.HasValue, $"restore {id} did not reach {state(_machine).Name}; it is {_sagas.Sagas.Contains(id)?.CurrentState}");
        return _sagas.Sagas.Contains(id)!;
    }

    private Task SendAsync<T>(T message) where T : class => _harness.Bus.Publish(message);

    [Fact]
    public async Task It_holds_the_item_lock_from_the_request_to_the_result()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Preparing);
        Assert.True(await _harness.Sent.Any<PrepareRestore>(s => s.Context.Message.RestoreId == id));
        Assert.Equal(ItemLockKinds.Restore, (await _locks.FindAsync(Bag))?.Kind);

        await SendAsync(new RestorePrepared(id, true, 3, 100, 0, "ready"));
        await WaitForAsync(id, m => m.Writing);
        Assert.True(await _harness.Sent.Any<WriteRestore>(s => s.Context.Message.RestoreId == id));
        Assert.NotNull(await _locks.FindAsync(Bag));

        await SendAsync(new RestoreWritten(id, "bus-restore", "test.edu/bag.tar", 5120, 3));
        var done = await WaitForAsync(id, m => m.Completed);
        Assert.Equal("test.edu/bag.tar", done.Key);
        Assert.Null(await _locks.FindAsync(Bag));
        Assert.True(await _harness.Published.Any<RestoreCompleted>(p => p.Context.Message.RestoreId == id && p.Context.Message.Key == "test.edu/bag.tar"));
    }

    [Fact]
    public async Task Cold_copies_are_polled_again_on_the_scheduler_until_ready_then_written()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Preparing);

        await SendAsync(new RestorePrepared(id, false, 3, 100, 2, "2 file(s) wait"));

        // The scheduled poll sends PrepareRestore a second time.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_harness.Sent.Select<PrepareRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded).Count() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cold poll never prepared the restore again");
            await Task.Delay(20);
        }
        var saga = await WaitForAsync(id, m => m.Preparing);
        Assert.Equal(1, saga.ColdPolls);
        await SendAsync(new RestorePrepared(id, true, 3, 100, 0, "ready"));
        await WaitForAsync(id, m => m.Writing);
    }

    [Fact]
    public async Task Too_many_cold_polls_fail_the_restore_and_release_the_lock()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        for (var poll = 1; poll <= 3; poll++)
        {
            await WaitForAsync(id, m => m.Preparing);
            await SendAsync(new RestorePrepared(id, false, 3, 100, 1, "waiting"));
            if (poll < 3) await WaitForAsync(id, m => m.WaitingForCopies);
        }
        var failed = await WaitForAsync(id, m => m.Failed);
        Assert.Contains("cold copy", failed.FailureReason, StringComparison.Ordinal);
        Assert.Null(await _locks.FindAsync(Bag));
    }

    [Fact]
    public async Task A_write_that_falls_back_to_a_cold_copy_polls_then_writes_on()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Preparing);
        await SendAsync(new RestorePrepared(id, true, 3, 100, 0, "ready"));
        await WaitForAsync(id, m => m.Writing);

        await SendAsync(new RestoreWaitingForCopy(id, "'data/a.txt' waits for its cold copy"));

        // The scheduled poll prepares again (the fixed plan answers ready) and the write goes on.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_harness.Sent.Select<PrepareRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded).Count() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cold poll never prepared the restore again");
            await Task.Delay(20);
        }
        var saga = await WaitForAsync(id, m => m.Preparing);
        Assert.Equal(1, saga.ColdPolls);
        Assert.Equal(id, (await _locks.FindAsync(Bag))?.Owner);
        await SendAsync(new RestorePrepared(id, true, 3, 100, 0, "plan fixed"));
        await WaitForAsync(id, m => m.Writing);
        Assert.Equal(2, _harness.Sent.Select<WriteRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded).Count());
    }

    [Fact]
    public async Task A_write_whose_cold_copy_never_comes_fails_and_sends_the_write_step_to_abort_the_upload()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        for (var poll = 1; poll <= 3; poll++)
        {
            await WaitForAsync(id, m => m.Preparing);
            await SendAsync(new RestorePrepared(id, true, 3, 100, 0, "ready"));
            await WaitForAsync(id, m => m.Writing);
            await SendAsync(new RestoreWaitingForCopy(id, "'data/a.txt' waits for its cold copy"));
            if (poll < 3) await WaitForAsync(id, m => m.WaitingForCopies);
        }

        var failed = await WaitForAsync(id, m => m.Failed);

        Assert.Contains("'data/a.txt' waits for its cold copy", failed.FailureReason, StringComparison.Ordinal);
        Assert.Null(await _locks.FindAsync(Bag));
        // One write per poll, and one more after the give-up: the step aborts what the failed restore left open.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_harness.Sent.Select<WriteRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded).Count() < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, "the give-up sent no write to abort the upload");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task While_a_deletion_holds_the_item_it_waits_and_gives_up_after_the_bounded_waits()
    {
        var deletion = Guid.NewGuid();
        await _locks.TryAcquireAsync(Bag, ItemLockKinds.Deletion, deletion);
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));

        var failed = await WaitForAsync(id, m => m.Failed);

        Assert.False(await _harness.Sent.Any<PrepareRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded));
        Assert.Contains("item lock", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(deletion, (await _locks.FindAsync(Bag))?.Owner);
    }

    [Fact]
    public async Task A_restore_waiting_for_the_item_starts_when_the_lock_is_released()
    {
        var ingest = Guid.NewGuid();
        await _locks.TryAcquireAsync(Bag, ItemLockKinds.Ingest, ingest);
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, Bag, "ops@test.edu", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.WaitingForItem);

        await _locks.ReleaseAsync(Bag, ingest);

        await WaitForAsync(id, m => m.Preparing);
        Assert.Equal(id, (await _locks.FindAsync(Bag))?.Owner);
    }

    [Fact]
    public async Task A_step_that_cannot_restore_fails_it_with_the_reason_and_releases_the_lock()
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreFile(id, Bag + "/data/a.txt", "ops@test.edu", DateTimeOffset.UtcNow));
        await WaitForAsync(id, m => m.Preparing);

        await SendAsync(new RestoreStepFailed(id, "no copy of 'data/a.txt' can be restored"));

        var failed = await WaitForAsync(id, m => m.Failed);
        Assert.Equal("no copy of 'data/a.txt' can be restored", failed.FailureReason);
        Assert.Null(await _locks.FindAsync(Bag));
        Assert.True(await _harness.Published.Any<RestoreFailed>(p => p.Context.Message.RestoreId == id));
    }

    [Theory]
    [InlineData("not an identifier")]
    [InlineData(Bag + "/data/a.txt")]
    public async Task A_bad_object_identifier_fails_at_once_and_locks_nothing(string identifier)
    {
        var id = NewId.NextGuid();
        await SendAsync(new RestoreObject(id, identifier, "ops@test.edu", DateTimeOffset.UtcNow));

        var failed = await WaitForAsync(id, m => m.Failed);

        Assert.NotNull(failed.FailureReason);
        Assert.Null(await _locks.FindAsync(Bag));
        Assert.False(await _harness.Sent.Any<PrepareRestore>(s => s.Context.Message.RestoreId == id, HarnessWaits.Recorded));
    }
}
