using Bus.Ingest.StateMachines.Messages;
using Bus.Contracts.Ingest;

namespace Bus.Tests.Ingest;

public sealed class When_a_submission_is_not_authorized
{
    [Theory]
    [InlineData("other.edu/bag1.tar", "depositor@test.edu", "is not under the institution's receiving prefix 'test.edu/'")]
    [InlineData("bag1.tar", "depositor@test.edu", "is not under the institution's receiving prefix")]
    [InlineData("test.edu/bag1.tar", "depositor@other.edu", "belongs to institution 'other.edu', not 'test.edu'")]
    [InlineData("test.edu/bag1.tar", "nobody@test.edu", "is not a registry user")]
    public async Task It_is_rejected_with_the_reason_and_no_step_runs(string key, string submitter, string reason)
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var submit = IngestSagaHarness.Submission(key) with { SubmittedBy = submitter };
        await h.Harness.Bus.Publish(submit);

        var saga = await h.InStateAsync(submit.IngestId, h.Machine.Rejected);
        var rejection = Assert.Single(IngestStateMachineStatus(saga).Rejections);
        Assert.Equal(IngestRejectionCodes.SubmissionRefused, rejection.Code);
        Assert.Contains(reason, rejection.Message, StringComparison.Ordinal);
        await h.SentAsync<UnpackBag>(submit.IngestId, 0);
        Assert.False(await h.Harness.Published.Any<IngestAccepted>(m => m.Context.Message.IngestId == submit.IngestId, HarnessWaits.Recorded));
    }

    [Fact]
    public async Task A_bucket_other_than_receiving_is_rejected()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var submit = IngestSagaHarness.Submission() with { Bucket = "bus-preservation-va" };
        await h.Harness.Bus.Publish(submit);
        var saga = await h.InStateAsync(submit.IngestId, h.Machine.Rejected);
        Assert.Contains("receiving bucket", saga.LastError, StringComparison.Ordinal);
        await h.SentAsync<UnpackBag>(submit.IngestId, 0);
    }

    [Fact]
    public async Task A_forged_submit_does_not_block_the_depositors_own_submit_of_the_same_upload()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var forged = IngestSagaHarness.Submission() with { SubmittedBy = "depositor@other.edu" };
        await h.Harness.Bus.Publish(forged);
        await h.InStateAsync(forged.IngestId, h.Machine.Rejected);

        var own = IngestSagaHarness.Submission() with { SubmittedAt = DateTimeOffset.UtcNow.AddSeconds(1) };
        await h.Harness.Bus.Publish(own);
        var saga = await h.InStateAsync(own.IngestId, h.Machine.Received);
        Assert.Null(saga.Rejections);
        Assert.Equal("depositor@test.edu", saga.SubmittedBy);
        await h.SentAsync<UnpackBag>(own.IngestId, 1);
    }

    private static IngestStatus IngestStateMachineStatus(Bus.Ingest.StateMachines.IngestState saga) =>
        Bus.Ingest.StateMachines.IngestStateMachine.Status(saga);
}
