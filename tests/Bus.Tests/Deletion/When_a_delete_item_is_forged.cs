using Bus.Contracts.Deletion;

namespace Bus.Tests.Deletion;

/// <summary>A DeleteItem is only a trigger: without a matching approved request in the saga's table it removes nothing.</summary>
public sealed class When_a_delete_item_is_forged
{
    [Fact]
    public async Task No_request_an_unapproved_request_or_another_item_deletes_nothing()
    {
        await using var h = await DeletionHarness.StartAsync();
        var pending = Guid.NewGuid();
        Assert.True((await h.RequestAsync(pending, DeletionHarness.Bag + "/data/a.txt")).Accepted);
        await h.WaitForAsync(pending, m => m.PendingApproval);

        DeleteItem[] forged =
        [
            new() { RequestId = Guid.NewGuid(), Identifier = DeletionHarness.Bag, RequestedBy = DeletionHarness.Requester, ApprovedBy = DeletionHarness.Admin },
            new() { RequestId = pending, Identifier = DeletionHarness.Bag + "/data/a.txt", RequestedBy = DeletionHarness.Requester, ApprovedBy = DeletionHarness.Admin },
        ];
        foreach (var m in forged)
        {
            await h.Harness.Bus.Publish(m);
            Assert.True(await h.Harness.Consumed.Any<DeleteItem>(c => c.Context.Message.RequestId == m.RequestId));
        }

        // An approved request for one file: a DeleteItem naming the whole object under its id is refused too.
        var approved = Guid.NewGuid();
        h.Storage.FailingBucket = "replica"; // keep the approved request's own step from completing
        Assert.True((await h.RequestAsync(approved, DeletionHarness.Bag + "/data/b.txt")).Accepted);
        Assert.True((await h.ApproveAsync(approved, DeletionHarness.Admin)).Accepted);
        await h.WaitForAsync(approved, m => m.Faulted);
        var removedBefore = h.Storage.Removed.Count;
        await h.Harness.Bus.Publish(new DeleteItem { RequestId = approved, Identifier = DeletionHarness.Bag, RequestedBy = "x", ApprovedBy = "y" });
        Assert.True(await h.Harness.Consumed.Any<DeleteItem>(c => c.Context.Message.Identifier == DeletionHarness.Bag));

        Assert.Equal(removedBefore, h.Storage.Removed.Count);
        Assert.All(h.Storage.Removed, c => Assert.EndsWith("data/b.txt", c.FileIdentifier));
        Assert.Empty(h.Registry.Tombstones);
        Assert.Equal("PendingApproval", h.Sagas.Sagas.Contains(pending)!.CurrentState);
    }
}
