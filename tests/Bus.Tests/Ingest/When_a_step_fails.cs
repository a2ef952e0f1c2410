using Bus.Contracts.Ingest;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_a_step_fails
{
    [Fact]
    public async Task The_ingest_Fails_and_is_compensated()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(4);
        await h.Harness.Bus.Publish(new IngestStepFailed(id, IngestSteps.Verify, "copy-mismatch", "data/a.txt: sha256 differs after 2 re-copies", DateTimeOffset.UtcNow));

        var saga = await h.InStateAsync(id, h.Machine.Failed);
        Assert.Contains("copy-mismatch", saga.LastError);
        Assert.True(await h.Harness.Published.Any<IngestFailed>(m => m.Context.Message.IngestId == id));
        var compensate = await h.Harness.Sent.SelectAsync<CompensateIngest>(m => m.Context.Message.IngestId == id).First();
        Assert.StartsWith("failed", compensate.Context.Message.Reason);

        await h.Harness.Bus.Publish(new IngestCompensated(id, 3, 2, DateTimeOffset.UtcNow));
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<IngestCompensated>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        saga = await h.InStateAsync(id, h.Machine.Failed);
        Assert.Equal(2, saga.CompensationCopiesDeleted);
        Assert.NotNull(saga.CompensatedAt);
    }

    [Fact]
    public async Task A_late_step_event_does_not_revive_a_failed_ingest()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(4);
        await h.Harness.Bus.Publish(new IngestStepFailed(id, IngestSteps.Verify, "copy-mismatch", "x", DateTimeOffset.UtcNow));
        await h.InStateAsync(id, h.Machine.Failed);
        await h.Harness.Bus.Publish(new CopiesVerified(id, 6, 0, DateTimeOffset.UtcNow));
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<CopiesVerified>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await h.InStateAsync(id, h.Machine.Failed);
        await h.SentAsync<RecordIngest>(id, 0);
    }
}
