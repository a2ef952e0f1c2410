using Bus.Contracts.Ingest;
using Bus.Workflows.Coordination;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_runs_it_holds_the_item_lock
{
    [Fact]
    public async Task Should_hold_the_objects_lock_from_unpacked_through_cleanup_and_release_it_on_completion()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(6);

        var held = await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier);
        Assert.NotNull(held);
        Assert.Equal(id, held.Owner);
        Assert.Equal(ItemLockKinds.Ingest, held.Kind);
        Assert.NotNull(h.Saga.Sagas.Contains(id)!.ItemLockedAt);

        await h.Harness.Bus.Publish(new IngestCleanedUp(id, 4, DateTimeOffset.UtcNow));
        await h.InStateAsync(id, h.Machine.Completed);
        Assert.Null(await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier));
    }
}
