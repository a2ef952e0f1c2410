using Bus.Contracts.Deletion;
using Bus.Workflows.Coordination;

namespace Bus.Tests.Deletion;

public sealed class When_a_deletion_is_approved
{
    [Fact]
    public async Task Every_copy_is_removed_then_the_item_is_tombstoned_with_requester_approver_and_reason()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();

        var requested = await h.RequestAsync(id);
        Assert.True(requested.Accepted, requested.Reason);
        Assert.Equal("PendingApproval", requested.State);
        Assert.Equal(ItemLockKinds.Deletion, (await h.Locks.FindAsync(DeletionHarness.Bag))?.Kind);
        Assert.Empty(h.Storage.Removed);

        var approved = await h.ApproveAsync(id, DeletionHarness.Admin);
        Assert.True(approved.Accepted, approved.Reason);
        Assert.Equal("Deleting", approved.State);

        var saga = await h.WaitForAsync(id, m => m.Completed);
        Assert.Equal(4, saga.CopiesRemoved);
        Assert.Equal(DeletionHarness.Admin, saga.DecidedBy);
        Assert.Equal(4, h.Storage.Removed.Count);
        var tombstone = Assert.Single(h.Registry.Tombstones);
        Assert.Equal((id, DeletionHarness.Bag, DeletionHarness.Requester, DeletionHarness.Admin, "donor withdrew consent"),
            (tombstone.RequestId, tombstone.Identifier, tombstone.RequestedBy, tombstone.ApprovedBy, tombstone.Reason));
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
        Assert.True(await h.Harness.Published.Any<DeletionCompleted>(m => m.Context.Message.RequestId == id));
    }

    [Fact]
    public async Task A_file_deletion_removes_only_that_files_copies()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id, DeletionHarness.Bag + "/data/a.txt")).Accepted);
        Assert.True((await h.ApproveAsync(id, DeletionHarness.SecondAdmin)).Accepted);

        await h.WaitForAsync(id, m => m.Completed);
        Assert.All(h.Storage.Removed, c => Assert.Equal(DeletionHarness.Bag + "/data/a.txt", c.Key));
        Assert.Equal(2, h.Storage.Removed.Count);
    }

    [Fact]
    public async Task The_same_request_delivered_twice_is_answered_the_same_and_changes_nothing()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        var again = await h.RequestAsync(id);
        Assert.True(again.Accepted);
        Assert.Equal("PendingApproval", again.State);
    }
}
