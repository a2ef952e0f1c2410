using Bus.Contracts.Ingest;
using MassTransit;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_a_step_faults
{
    [Fact]
    public async Task The_saga_is_parked_in_Faulted_with_the_step_and_error()
    {
        await using var h = await IngestSagaHarness.StartAsync(x => x.AddConsumer<FailingStep<StoreFiles>>().Endpoint(e => e.Name = "ingest-store"));
        var id = await h.DriveAsync(3, waitForLast: false);

        var saga = await h.InStateAsync(id, h.Machine.Faulted);
        Assert.Equal(IngestSteps.Store, saga.CurrentStep);
        Assert.Contains("S3 is down", saga.LastError);
        var parked = await h.Harness.Published.SelectAsync<IngestFaulted>(m => m.Context.Message.IngestId == id).First();
        Assert.Equal(IngestSteps.Store, parked.Context.Message.Step);
    }

    [Fact]
    public async Task Replaying_the_command_resumes_the_saga_from_that_step()
    {
        await using var h = await IngestSagaHarness.StartAsync(x => x.AddConsumer<FailingStep<StoreFiles>>().Endpoint(e => e.Name = "ingest-store"));
        var id = await h.DriveAsync(3, waitForLast: false);
        await h.InStateAsync(id, h.Machine.Faulted);

        // The operator moves StoreFiles back from ingest-store_error; this time the step succeeds.
        await h.Harness.Bus.Publish(new FilesStored(id, 6, DateTimeOffset.UtcNow));
        var saga = await h.InStateAsync(id, h.Machine.Verifying);
        Assert.Null(saga.LastError);
        await h.SentAsync<VerifyCopies>(id, 1);
    }

    [Fact]
    public async Task Each_step_command_fault_parks_it()
    {
        await using var h = await IngestSagaHarness.StartAsync(x => x.AddConsumer<FailingStep<UnpackBag>>().Endpoint(e => e.Name = "ingest-unpack"));
        var id = await h.DriveAsync(0, waitForLast: false);
        var saga = await h.InStateAsync(id, h.Machine.Faulted);
        Assert.Equal(IngestSteps.Unpack, saga.CurrentStep);
    }

    [Fact]
    public async Task A_faulted_ingest_can_be_cancelled()
    {
        await using var h = await IngestSagaHarness.StartAsync(x => x.AddConsumer<FailingStep<VerifyCopies>>().Endpoint(e => e.Name = "ingest-verify"));
        var id = await h.DriveAsync(4, waitForLast: false);
        await h.InStateAsync(id, h.Machine.Faulted);
        await h.Harness.Bus.Publish(new CancelIngest(id, "operator@test.edu", "gave up"));
        await h.InStateAsync(id, h.Machine.Cancelled);
        await h.SentAsync<CompensateIngest>(id, 1);
    }
}
