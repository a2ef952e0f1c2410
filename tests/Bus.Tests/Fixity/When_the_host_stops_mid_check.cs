using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_the_host_stops_mid_check
{
    [Fact]
    public async Task Should_checkpoint_at_once_and_leave_a_continuation()
    {
        // A five-minute slice: only the shutdown signal can end the first slice early.
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMinutes(5));
        var content = RandomNumberGenerator.GetBytes(16 * 1024);
        var (primary, _) = fixity.AddFile(content, content, original: content);
        fixity.Storage.AfterBlock = (_, _, read) => { if (read >= 4096 && fixity.Slices.All().Count == 0) fixity.Stopping = true; };
        // The checkpoint is written while the host stops; the continuation is then taken by a host that runs.
        fixity.Slices.BeforeAdd = _ => fixity.Stopping = false;
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        var slices = fixity.Slices.All();
        Assert.Equal(SliceEnds.HostStopping, slices[0].Ended);
        Assert.Equal(4096, slices[0].ToOffset); // the block it was reading, no more
        Assert.Equal(2, slices.Count);
        for (var i = 1; i < slices.Count; i++) Assert.Equal(slices[i - 1].ToOffset, slices[i].FromOffset);
        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
    }
}
