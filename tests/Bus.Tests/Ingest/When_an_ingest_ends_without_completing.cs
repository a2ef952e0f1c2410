using Bus.Contracts.Ingest;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_an_ingest_ends_without_completing
{
    [Theory]
    [InlineData("rejected")]
    [InlineData("failed")]
    [InlineData("cancelled")]
    public async Task Should_release_the_item_lock(string ending)
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(ending == "rejected" ? 1 : 4);
        Assert.Equal(id, (await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier))?.Owner);

        var now = DateTimeOffset.UtcNow;
        // Publish(object) dispatches on the runtime type.
        object ends = ending switch
        {
            "rejected" => new BagInvalid(id, [new IngestRejection("bag-name-invalid", "test")], now),
            "failed" => new IngestStepFailed(id, IngestSteps.Verify, "copy-mismatch", "test", now),
            _ => new CancelIngest(id, "depositor@test.edu", "test"),
        };
        await h.Harness.Bus.Publish(ends);
        await h.InStateAsync(id, ending switch { "rejected" => h.Machine.Rejected, "failed" => h.Machine.Failed, _ => h.Machine.Cancelled });

        Assert.Null(await h.Locks.FindAsync(IngestSagaHarness.ObjectIdentifier));
    }
}
