using Bus.Contracts.Ingest;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_is_cancelled
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(6)]
    public async Task An_active_ingest_is_Cancelled_and_compensated(int stepsBefore)
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(stepsBefore);
        await h.Harness.Bus.Publish(new CancelIngest(id, "depositor@test.edu", "wrong bag"));

        var saga = await h.InStateAsync(id, h.Machine.Cancelled);
        Assert.Equal("depositor@test.edu", saga.CancelledBy);
        var compensate = await h.Harness.Sent.SelectAsync<CompensateIngest>(m => m.Context.Message.IngestId == id).First();
        Assert.Equal("cancelled", compensate.Context.Message.Reason);
        Assert.True(await h.Harness.Published.Any<IngestCancelled>(m => m.Context.Message.IngestId == id));

        await h.Harness.Bus.Publish(new IngestCompensated(id, 3, 1, DateTimeOffset.UtcNow));
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<IngestCompensated>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        Assert.NotNull(h.Saga.Sagas.Contains(id)!.CompensatedAt);
    }

    [Fact]
    public async Task A_completed_ingest_is_not_cancelled()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(7);
        await h.Harness.Bus.Publish(new CancelIngest(id, "depositor@test.edu", null));
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<CancelIngest>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await h.InStateAsync(id, h.Machine.Completed);
        await h.SentAsync<CompensateIngest>(id, 0);
    }

    [Fact]
    public async Task A_step_finishing_after_the_cancel_is_ignored()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(3);
        await h.Harness.Bus.Publish(new CancelIngest(id, "depositor@test.edu", null));
        await h.InStateAsync(id, h.Machine.Cancelled);
        await h.Harness.Bus.Publish(new FilesStored(id, 6, DateTimeOffset.UtcNow));
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<FilesStored>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await h.InStateAsync(id, h.Machine.Cancelled);
        await h.SentAsync<VerifyCopies>(id, 0);
    }
}
