using Bus.Contracts.Ingest;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_runs_every_step
{
    [Fact]
    public async Task Each_step_event_commands_the_next_step_and_the_last_completes_it()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(7);

        await h.SentAsync<ValidateBag>(id, 1);
        await h.SentAsync<IdentifyFormats>(id, 1);
        await h.SentAsync<StoreFiles>(id, 1);
        await h.SentAsync<VerifyCopies>(id, 1);
        await h.SentAsync<RecordIngest>(id, 1);
        await h.SentAsync<CleanUpIngest>(id, 1);
        var completed = await h.Harness.Published.SelectAsync<IngestCompleted>(m => m.Context.Message.IngestId == id).First();
        Assert.Equal("test.edu/bag1", completed.Context.Message.ObjectIdentifier);
        var saga = await h.InStateAsync(id, h.Machine.Completed);
        Assert.NotNull(saga.FinishedAt);
        Assert.Null(saga.CurrentStep);
        Assert.All(saga.StepTimings(), t => Assert.NotNull(t.FinishedAt));
    }

    [Fact]
    public async Task Cleanup_deletes_the_receiving_tar_by_default()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(6);
        var cleanup = await h.Harness.Sent.SelectAsync<CleanUpIngest>(m => m.Context.Message.IngestId == id).First();
        Assert.True(cleanup.Context.Message.DeleteReceivingObject);
        Assert.Equal("test.edu/bag1.tar", cleanup.Context.Message.ReceivingKey);
    }

    [Fact]
    public async Task Progress_and_attempts_of_a_step_are_kept_on_the_saga()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(3);
        var now = DateTimeOffset.UtcNow;
        await h.Harness.Bus.Publish(new IngestStepStarted(id, IngestSteps.Store, now));
        await h.Harness.Bus.Publish(new IngestStepStarted(id, IngestSteps.Store, now));
        await h.Harness.Bus.Publish(new IngestStepProgress(id, IngestSteps.Store, 4, 6, now));
        // All three messages consumed, in any order.
        await HarnessWaits.CountIsAsync(2, () => h.Saga.Consumed.Select<IngestStepStarted>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await HarnessWaits.CountIsAsync(1, () => h.Saga.Consumed.Select<IngestStepProgress>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());

        var saga = await h.InStateAsync(id, h.Machine.Storing);
        Assert.Equal(2, saga.StoreAttempts);
        Assert.Equal(4, saga.ProgressDone);
        Assert.Equal(6, saga.ProgressTotal);
    }
}
