using Bus.Deletion.StateMachines.Messages;
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
        foreach (var m in forged) await h.Harness.Bus.Publish(m);
        await ConsumedAsync(h, forged.Length);

        Assert.Empty(h.Storage.Removed);
        Assert.Equal("PendingApproval", (await h.WaitForAsync(pending, m => m.PendingApproval)).CurrentState);

        // Once approved (for one file): a DeleteItem naming the whole object under its id is refused too.
        h.Storage.FailingBucket = "replica"; // keep the approved request's own step from completing
        Assert.True((await h.ApproveAsync(pending, DeletionHarness.Admin)).Accepted);
        await h.WaitForAsync(pending, m => m.Faulted);
        var removedBefore = h.Storage.Removed.Count;
        await h.Harness.Bus.Publish(new DeleteItem { RequestId = pending, Identifier = DeletionHarness.Bag, RequestedBy = "x", ApprovedBy = "y" });
        await ConsumedAsync(h, forged.Length + 2); // the approved request's own step, and the forgery

        Assert.Equal(removedBefore, h.Storage.Removed.Count);
        Assert.All(h.Storage.Removed, c => Assert.EndsWith("data/a.txt", c.Key));
        Assert.Empty(h.Registry.Tombstones);
    }

    /// <summary>Waits (up to the harness's timeout) until the deletion step has consumed <paramref name="count"/> DeleteItem messages.</summary>
    private static async Task ConsumedAsync(DeletionHarness h, int count) =>
        Assert.Equal(count, await h.Harness.Consumed.SelectAsync<DeleteItem>().Take(count).CountAsync());
}
