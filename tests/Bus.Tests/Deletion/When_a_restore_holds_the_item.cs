using Bus.Contracts.Deletion;
using Bus.Workflows.Coordination;

namespace Bus.Tests.Deletion;

/// <summary>A restore only reads and always ends: a deletion asked for meanwhile is accepted and its approval waits for the restore.</summary>
public sealed class When_a_restore_holds_the_item
{
    private static Task<DeletionHarness> StartAsync(int maxWaits = 1000) => DeletionHarness.StartAsync(o =>
    {
        o.ItemLockRetryDelay = TimeSpan.FromMilliseconds(50);
        o.MaxItemLockWaits = maxWaits;
    });

    [Fact]
    public async Task The_request_is_accepted_its_approval_waits_and_the_item_is_deleted_once_the_restore_ends()
    {
        await using var h = await StartAsync();
        var restore = Guid.NewGuid();
        Assert.True((await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Restore, restore)).Acquired);
        var id = Guid.NewGuid();

        var requested = await h.RequestAsync(id);
        Assert.True(requested.Accepted, requested.Reason);
        Assert.Equal("PendingApproval", requested.State);
        var approved = await h.ApproveAsync(id, DeletionHarness.Admin);
        Assert.True(approved.Accepted, approved.Reason);
        Assert.Equal("WaitingForItem", approved.State);

        // Several retries while the restore goes on: nothing is removed, the restore keeps its lock.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (h.Sagas.Sagas.Contains(id)?.ItemLockWaits < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the approved deletion never tried the lock again");
            await Task.Delay(20);
        }
        Assert.Empty(h.Storage.Removed);
        Assert.Equal(restore, (await h.Locks.FindAsync(DeletionHarness.Bag))?.Owner);
        Assert.Contains(restore.ToString(), h.Sagas.Sagas.Contains(id)!.WaitingFor, StringComparison.Ordinal);

        await h.Locks.ReleaseAsync(DeletionHarness.Bag, restore);

        var saga = await h.WaitForAsync(id, m => m.Completed);
        Assert.Equal(4, saga.CopiesRemoved);
        Assert.Single(h.Registry.Tombstones);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }

    [Fact]
    public async Task A_second_request_while_the_first_waits_is_refused_as_work_in_progress()
    {
        await using var h = await StartAsync();
        var restore = Guid.NewGuid();
        await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Restore, restore);
        var first = Guid.NewGuid();
        Assert.True((await h.RequestAsync(first)).Accepted);

        var second = await h.RequestAsync(Guid.NewGuid(), DeletionHarness.Bag + "/data/a.txt", DeletionHarness.Depositor);
        await h.Locks.ReleaseAsync(DeletionHarness.Bag, restore);
        var third = await h.RequestAsync(Guid.NewGuid(), DeletionHarness.Bag, DeletionHarness.Depositor);

        Assert.Equal(DeletionRefusalCodes.WorkInProgress, second.Code);
        Assert.Contains(first.ToString(), second.Reason, StringComparison.Ordinal);
        Assert.Equal(DeletionRefusalCodes.WorkInProgress, third.Code);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }

    [Fact]
    public async Task An_approval_that_never_gets_the_lock_expires_after_the_bounded_waits_and_deletes_nothing()
    {
        await using var h = await StartAsync(maxWaits: 3);
        var restore = Guid.NewGuid();
        await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Restore, restore);
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.True((await h.ApproveAsync(id, DeletionHarness.Admin)).Accepted);

        var saga = await h.WaitForAsync(id, m => m.Expired);

        Assert.Equal(DeletionRefusalCodes.WorkInProgress, saga.RefusalCode);
        Assert.Contains("item lock", saga.RefusalReason, StringComparison.Ordinal);
        Assert.Empty(h.Storage.Removed);
        Assert.Equal(restore, (await h.Locks.FindAsync(DeletionHarness.Bag))?.Owner);
    }

    [Fact]
    public async Task An_item_that_became_too_young_while_waiting_is_refused_when_the_lock_comes()
    {
        await using var h = await StartAsync();
        var restore = Guid.NewGuid();
        await h.Locks.TryAcquireAsync(DeletionHarness.Bag, ItemLockKinds.Restore, restore);
        var id = Guid.NewGuid();
        Assert.True((await h.RequestAsync(id)).Accepted);
        Assert.True((await h.ApproveAsync(id, DeletionHarness.Admin)).Accepted);
        // A reingest meanwhile wrote copies under an option with a minimum retention.
        h.Registry.AddObject(DeletionHarness.Bag, DeletionHarness.Institution, "Glacier-OR", DateTimeOffset.UtcNow, "data/a.txt", "data/b.txt");

        await h.Locks.ReleaseAsync(DeletionHarness.Bag, restore);

        var saga = await h.WaitForAsync(id, m => m.Refused);
        Assert.Equal(DeletionRefusalCodes.RetentionPeriod, saga.RefusalCode);
        Assert.Empty(h.Storage.Removed);
        Assert.Null(await h.Locks.FindAsync(DeletionHarness.Bag));
    }
}
