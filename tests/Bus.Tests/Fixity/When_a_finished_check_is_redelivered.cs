using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Tests.Fixity;

public class When_a_finished_check_is_redelivered
{
    [Fact]
    public async Task Should_give_the_same_verdict_from_its_last_checkpoint_without_reading_the_copy_again()
    {
        await using var fixity = new FixityHarness();
        var content = RandomNumberGenerator.GetBytes(16 * 1024);
        var (primary, _) = fixity.AddFile(content, content, original: content);
        await fixity.StartAsync();
        var first = await fixity.CheckAsync(primary.StorageRecordId);

        // As if the broker redelivered the last message after a crash between the verdict and the ack.
        await fixity.Harness.Bus.Publish(new VerifyCopy(first.CheckId, primary.StorageRecordId));
        await HarnessWaits.UntilAsync(() => fixity.Harness.Consumed.Select<VerifyCopy>(HarnessWaits.Recorded).Count() == 2, "the redelivered VerifyCopy was consumed");

        var slices = fixity.Slices.All();
        Assert.Equal(2, slices.Count);
        Assert.Equal(SliceEnds.Finished, slices[1].Ended);
        Assert.Equal(content.Length, slices[1].FromOffset);
        Assert.Equal([0L, content.Length], fixity.Storage.Reads.Select(r => r.Offset));
        var checks = fixity.Registry.Checks.ToList();
        Assert.Equal(2, checks.Count);
        Assert.Equal(checks[0].EventId, checks[1].EventId); // same PREMIS event id: recorded once in the registry
        Assert.All(checks, c => Assert.True(c.Success));
    }
}
