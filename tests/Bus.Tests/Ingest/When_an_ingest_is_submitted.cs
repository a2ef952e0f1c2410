using Bus.Contracts.Ingest;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_is_submitted
{
    [Fact]
    public async Task It_is_accepted_in_Received_and_Unpack_is_commanded()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.SubmitAsync();

        var saga = await h.InStateAsync(id, h.Machine.Received);
        Assert.Equal("test.edu", saga.Institution);
        Assert.Equal("abc123", saga.ETag);
        Assert.Equal(IngestSteps.Unpack, saga.CurrentStep);
        Assert.True(await h.Harness.Published.Any<IngestAccepted>(m => m.Context.Message.IngestId == id));
        var unpack = await h.Harness.Sent.SelectAsync<UnpackBag>(m => m.Context.Message.IngestId == id).First();
        Assert.EndsWith("ingest-unpack", unpack.Context.DestinationAddress!.AbsolutePath);
    }

    [Fact]
    public async Task A_duplicate_submit_is_the_same_ingest_and_commands_nothing_more()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.SubmitAsync();
        // The same upload, ETag without quotes as some clients report it.
        await h.Harness.Bus.Publish(IngestSagaHarness.Submission(etag: "ABC123"));
        Assert.True(await h.Saga.Consumed.Any<SubmitIngest>(m => m.Context.Message.ETag == "ABC123"));

        Assert.Equal(id, IngestIds.For("test.edu", "bus-receiving", "test.edu/bag1.tar", "ABC123"));
        await h.SentAsync<UnpackBag>(id, 1);
        Assert.Single(h.Saga.Sagas.Select(s => s.CorrelationId == id, HarnessWaits.Recorded));
    }

    [Fact]
    public async Task A_new_upload_of_the_same_key_is_a_new_ingest()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var first = await h.SubmitAsync();
        var second = await h.SubmitAsync(IngestSagaHarness.Submission(etag: "\"def456\""));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task The_first_delivery_of_Unpack_moves_it_to_Unpacking_and_counts_an_attempt()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.SubmitAsync();
        await h.Harness.Bus.Publish(new IngestStepStarted(id, IngestSteps.Unpack, DateTimeOffset.UtcNow));
        // The saga is already Unpacking after the submit: wait for the step event itself, not the state.
        Assert.True(await h.Saga.Consumed.Any<IngestStepStarted>(m => m.Context.Message.IngestId == id));
        var saga = await h.InStateAsync(id, h.Machine.Unpacking);
        Assert.Equal(1, saga.UnpackAttempts);
        Assert.NotNull(saga.UnpackStartedAt);
    }
}
