using Bus.Contracts.Deletion;
using MassTransit;
using Bus.Deletion.StateMachines.Messages;

namespace Bus.Tests.Deletion;

public sealed class When_the_deletion_step_fails
{
    [Fact]
    public async Task The_item_is_not_tombstoned_the_saga_faults_and_a_replay_completes_it()
    {
        await using var h = await DeletionHarness.StartAsync();
        h.Storage.FailingBucket = "replica";
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.True((await h.ApproveAsync(id, DeletionHarness.Admin)).Accepted);

        var faulted = await h.WaitForAsync(id, m => m.Faulted);

        Assert.Contains("Access Denied", faulted.FaultReason, StringComparison.Ordinal);
        Assert.Empty(h.Registry.Tombstones);
        Assert.NotNull(await h.Locks.FindAsync(DeletionHarness.Bag));

        // The operator fixes the permission and replays the faulted DeleteItem from the error queue.
        h.Storage.FailingBucket = null;
        Assert.True(await h.Harness.Published.Any<Fault<DeleteItem>>());
        var fault = h.Harness.Published.Select<Fault<DeleteItem>>().First().Context.Message;
        await h.Harness.Bus.Publish(fault.Message);

        var completed = await h.WaitForAsync(id, m => m.Completed);
        Assert.Null(completed.FaultReason);
        Assert.Single(h.Registry.Tombstones);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }
}
