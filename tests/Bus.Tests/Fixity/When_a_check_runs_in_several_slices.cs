using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_a_check_runs_in_several_slices
{
    [Fact]
    public async Task Should_resume_each_slice_where_the_last_one_stopped_and_give_the_verdict_of_the_whole_copy()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15); // 16 blocks of 4 KiB: about 250 ms of reading
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var (primary, _) = fixity.AddFile(content, content, original: content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        var slices = fixity.Slices.All();
        Assert.True(slices.Count > 1, $"expected several slices, got {slices.Count}");
        Assert.All(slices.SkipLast(1), s => Assert.Equal(SliceEnds.SliceSpent, s.Ended));
        Assert.Equal(SliceEnds.Finished, slices[^1].Ended);
        Assert.Equal(0, slices[0].FromOffset);
        Assert.Equal(content.Length, slices[^1].ToOffset);
        for (var i = 1; i < slices.Count; i++) Assert.Equal(slices[i - 1].ToOffset, slices[i].FromOffset);
        Assert.All(slices, s => Assert.Null(s.RestartReason));
        // Every read after the first began where the previous slice stopped, never at 0.
        Assert.Equal(slices.Select(s => s.FromOffset), fixity.Storage.Reads.Select(r => r.Offset));
        Assert.Single(fixity.Registry.Checks);
    }
}
