using Bus.Contracts.Ingest;
using Bus.Workflows.Coordination;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_a_deletion_holds_the_item
{
    [Fact]
    public async Task Should_wait_without_validating_and_resume_once_the_deletion_releases_the_lock()
    {
        await using var h = await IngestSagaHarness.StartAsync(options: o => o.ItemLockRetrySeconds = 1);
        var deletion = Guid.NewGuid();
        Assert.True((await h.Locks.TryAcquireAsync(IngestSagaHarness.ObjectIdentifier, ItemLockKinds.Deletion, deletion)).Acquired);

        var id = await h.DriveAsync(1, waitForLast: false);
        var saga = await h.InStateAsync(id, h.Machine.WaitingForItem);
        Assert.Null(saga.ItemLockedAt);
        Assert.StartsWith($"{IngestSteps.Validate}: {IngestFailureCodes.ItemLocked}:", saga.LastError);
        Assert.Contains(deletion.ToString(), saga.LastError);
        // Validate looks the object up in the registry: not while a deletion may be changing it.
        await h.SentAsync<ValidateBag>(id, 0);

        await h.Locks.ReleaseAsync(IngestSagaHarness.ObjectIdentifier, deletion);
        await h.InStateAsync(id, h.Machine.Validating);
        await h.SentAsync<ValidateBag>(id, 1);
        Assert.Equal(id, (await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier))?.Owner);
    }
}
