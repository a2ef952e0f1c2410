using System.Security.Cryptography;
using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_the_copy_is_replaced_between_slices
{
    [Fact]
    public async Task Should_start_over_on_the_new_version_and_never_mix_bytes_of_both()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15);
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var damaged = content.ToArray();
        damaged[0] ^= 0xFF; // in the first slice only
        var (primary, _) = fixity.AddFile(damaged, content, original: content);
        // Once the first slice is recorded, someone puts the good bytes back: the damaged first slice must not count.
        fixity.Slices.BeforeAdd = s => { if (s.Slice == 1) fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)] = content; };
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        var slices = fixity.Slices.All();
        Assert.Equal(0, slices[1].FromOffset);
        Assert.Contains("object replaced", slices[1].RestartReason, StringComparison.Ordinal);
        Assert.NotEqual(slices[0].ETag, slices[1].ETag);
        Assert.True(fixity.Registry.Checks.Single().Success);
    }
}
