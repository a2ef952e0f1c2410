using Bus.Contracts.Ingest;
using MassTransit;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

/// <summary>
/// A step's event can arrive twice: a redelivered step command whose first run already reported, or
/// an Unpack continuation that finds the bag already unpacked and reports it again.
/// </summary>
public sealed class When_a_step_reports_again_after_the_saga_moved_on
{
    [Fact]
    public async Task Should_ignore_it_without_a_fault_or_a_repeated_command()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(4);
        var now = DateTimeOffset.UtcNow;

        await h.Harness.Bus.Publish(new BagUnpacked(id, "bag1", 3, 300, now));
        await h.Harness.Bus.Publish(new BagValidated(id, "test.edu/bag1", "Standard", false, 3, now));
        await h.Harness.Bus.Publish(new FormatsIdentified(id, 2, 1, now));
        await h.Harness.Bus.Publish(new FilesStored(id, 6, now));

        await HarnessWaits.CountIsAsync(2, () => h.Saga.Consumed.Select<FilesStored>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await HarnessWaits.CountIsAsync(2, () => h.Saga.Consumed.Select<BagUnpacked>(m => m.Context.Message.IngestId == id, HarnessWaits.Recorded).Count());
        await h.InStateAsync(id, h.Machine.Verifying);
        Assert.False(await h.Harness.Published.Any<Fault<BagUnpacked>>(HarnessWaits.Recorded));
        Assert.False(await h.Harness.Published.Any<Fault<BagValidated>>(HarnessWaits.Recorded));
        Assert.False(await h.Harness.Published.Any<Fault<FormatsIdentified>>(HarnessWaits.Recorded));
        Assert.False(await h.Harness.Published.Any<Fault<FilesStored>>(HarnessWaits.Recorded));
        await h.SentAsync<VerifyCopies>(id, 1);
    }
}
