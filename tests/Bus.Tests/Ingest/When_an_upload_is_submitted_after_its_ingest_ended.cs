using Bus.Contracts.Ingest;
using Bus.Ingest.StateMachines;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_upload_is_submitted_after_its_ingest_ended
{
    private static async Task<(IngestSagaHarness H, Guid First)> CancelledAsync()
    {
        var h = await IngestSagaHarness.StartAsync();
        var first = await h.SubmitAsync();
        await h.Harness.Bus.Publish(new CancelIngest(first, "depositor@test.edu", null));
        await h.InStateAsync(first, h.Machine.Cancelled);
        return (h, first);
    }

    [Fact]
    public async Task A_submit_sent_after_a_cancel_is_a_new_ingest_linked_both_ways()
    {
        var (h, first) = await CancelledAsync();
        await using var _ = h;
        var again = IngestSagaHarness.Submission() with { SubmittedAt = DateTimeOffset.UtcNow.AddSeconds(1) };
        Assert.Equal(first, again.IngestId);
        await h.Harness.Bus.Publish(again);

        var successor = IngestIds.SuccessorOf(first);
        var next = await h.InStateAsync(successor, h.Machine.Received);
        Assert.Equal(first, next.Supersedes);
        Assert.Equal(again.SubmittedAt, next.LastSubmittedAt);
        Assert.Equal(successor, (await h.InStateAsync(first, h.Machine.Cancelled)).SupersededBy);
        await h.SentAsync<UnpackBag>(successor, 1);
    }

    [Fact]
    public async Task Duplicates_of_the_new_submit_meet_in_one_successor()
    {
        var (h, first) = await CancelledAsync();
        await using var _ = h;
        var again = IngestSagaHarness.Submission() with { SubmittedAt = DateTimeOffset.UtcNow.AddSeconds(1) };
        await h.Harness.Bus.Publish(again);
        var successor = IngestIds.SuccessorOf(first);
        await h.InStateAsync(successor, h.Machine.Received);
        await h.Harness.Bus.Publish(again);
        // The duplicate goes through the first ingest on to the successor, which only notes it.
        Assert.True(await h.Saga.Consumed.Any<IngestResubmitted>(m => m.Context.Message.PredecessorId == first));
        Assert.True(await WaitForAsync(() => h.Saga.Consumed.Select<IngestResubmitted>(HarnessWaits.Recorded).Count() == 2));
        await h.SentAsync<UnpackBag>(successor, 1);
        // Contains waits for the saga to appear: read what exists instead.
        Assert.Empty(h.Saga.Sagas.Select(s => s.CorrelationId == IngestIds.SuccessorOf(successor), HarnessWaits.Recorded));
    }

    [Fact]
    public async Task A_duplicate_sent_before_the_end_starts_nothing()
    {
        var (h, first) = await CancelledAsync();
        await using var _ = h;
        var stale = IngestSagaHarness.Submission() with { SubmittedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        await h.Harness.Bus.Publish(stale);
        Assert.True(await h.Saga.Consumed.Any<SubmitIngest>(m => m.Context.Message.SubmittedAt == stale.SubmittedAt));
        var saga = await h.InStateAsync(first, h.Machine.Cancelled);
        Assert.Null(saga.SupersededBy);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
