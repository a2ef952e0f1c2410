using Bus.Contracts.Fixity;
using Bus.Workflows.Coordination;

namespace Bus.Tests.Fixity;

/// <summary>
/// A deletion holds the object's item lock: the repair must not write a copy back (it would undo the
/// deletion) nor call the file lost (the deletion removed its copies). The check ends deferred.
/// </summary>
public class When_a_damaged_copy_belongs_to_an_item_being_deleted
{
    [Theory]
    [InlineData(true)]  // without the lock: repaired from the replica, the copy written back
    [InlineData(false)] // without the lock: both copies gone, a "lost" alert
    public async Task Should_defer_the_repair_writing_and_alerting_nothing(bool replicaIntact)
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(null, replicaIntact ? FixityHarness.Content : null);
        var deletion = Guid.NewGuid();
        await fixity.Locks.TryAcquireAsync(primary.ObjectIdentifier, ItemLockKinds.Deletion, deletion);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Deferred, completed.Outcome);
        Assert.Contains($"deletion {deletion}", completed.Detail, StringComparison.Ordinal);
        Assert.Empty(fixity.Storage.Copies);
        Assert.Empty(fixity.Registry.Lost);
        Assert.Empty(fixity.Registry.Repairs);
        Assert.Equal(deletion, (await fixity.Locks.FindAsync(primary.ObjectIdentifier))!.Owner);
    }

    [Fact]
    public async Task Should_repair_and_release_the_lock_once_the_item_is_free()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(null, FixityHarness.Content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.Null(await fixity.Locks.FindAsync(primary.ObjectIdentifier));
    }
}
