using Bus.Contracts.Deletion;

namespace Bus.Tests.Deletion;

public sealed class When_a_deletion_is_rejected_cancelled_or_expires
{
    [Fact]
    public async Task A_rejection_deletes_nothing_and_frees_the_item()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);

        var answer = await h.AskAsync(new RejectDeletion { RequestId = id, By = DeletionHarness.Admin, Comment = "still needed" });

        Assert.Equal("Rejected", answer.State);
        var saga = await h.WaitForAsync(id, m => m.Rejected);
        Assert.Equal(("still needed", DeletionHarness.Admin), (saga.DecisionComment, saga.DecidedBy));
        Assert.Empty(h.Storage.Removed);
        Assert.Empty(h.Registry.Tombstones);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }

    [Fact]
    public async Task A_cancellation_by_the_requester_deletes_nothing_and_frees_the_item()
    {
        await using var h = await DeletionHarness.StartAsync();
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);

        Assert.Equal("Cancelled", (await h.AskAsync(new CancelDeletion { RequestId = id, By = DeletionHarness.Requester })).State);

        await h.WaitForAsync(id, m => m.Cancelled);
        Assert.Empty(h.Storage.Removed);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }

    [Fact]
    public async Task No_decision_within_the_window_expires_the_request()
    {
        await using var h = await DeletionHarness.StartAsync(o => o.ApprovalWindow = TimeSpan.FromSeconds(1));
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);

        await h.WaitForAsync(id, m => m.Expired);

        Assert.Empty(h.Storage.Removed);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
        Assert.Equal(DeletionRefusalCodes.NotPending, (await h.ApproveAsync(id, DeletionHarness.Admin)).Code);
    }
}
