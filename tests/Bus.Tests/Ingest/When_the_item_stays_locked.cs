using Bus.Contracts.Ingest;
using Bus.Workflows.Coordination;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_the_item_stays_locked
{
    [Theory]
    [InlineData(0)] // configured to refuse at once
    [InlineData(2)]
    public async Task Should_fail_with_item_locked_after_the_bounded_waits_and_leave_the_lock_alone(int maxWaits)
    {
        await using var h = await IngestSagaHarness.StartAsync(options: o => { o.ItemLockRetrySeconds = 1; o.ItemLockMaxWaits = maxWaits; });
        var deletion = Guid.NewGuid();
        await h.Locks.TryAcquireAsync(IngestSagaHarness.ObjectIdentifier, ItemLockKinds.Deletion, deletion);

        var id = await h.DriveAsync(1, waitForLast: false);
        var saga = await h.InStateAsync(id, h.Machine.Failed);

        Assert.Equal(maxWaits + 1, saga.ItemLockWaits);
        var failed = await h.Harness.Published.SelectAsync<IngestFailed>(m => m.Context.Message.IngestId == id).First();
        Assert.Equal(IngestFailureCodes.ItemLocked, failed.Context.Message.Code);
        Assert.Equal(IngestSteps.Validate, failed.Context.Message.Step);
        await h.SentAsync<ValidateBag>(id, 0);
        await h.SentAsync<CompensateIngest>(id, 1);
        Assert.Equal(deletion, (await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier))?.Owner);
    }
}
