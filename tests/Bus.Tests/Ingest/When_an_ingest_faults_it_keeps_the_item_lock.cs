using Bus.Contracts.Ingest;
using MassTransit;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_faults_it_keeps_the_item_lock
{
    [Fact]
    public async Task Should_keep_the_lock_while_parked_and_release_it_when_cancelled()
    {
        await using var h = await IngestSagaHarness.StartAsync(x => x.AddConsumer<FailingStep<StoreFiles>>().Endpoint(e => e.Name = "ingest-store"));
        var id = await h.DriveAsync(3, waitForLast: false);
        await h.InStateAsync(id, h.Machine.Faulted);

        // Parked mid-Store: copies may exist that no deletion must race with until an operator acts.
        Assert.Equal(id, (await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier))?.Owner);

        await h.Harness.Bus.Publish(new CancelIngest(id, "operator@test.edu", "give up"));
        await h.InStateAsync(id, h.Machine.Cancelled);
        Assert.Null(await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier));
    }
}
