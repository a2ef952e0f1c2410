using System.Security.Cryptography;
using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_a_corrupted_copy_is_checked_in_slices
{
    [Fact]
    public async Task Should_still_find_the_damage_and_repair_it()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15);
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var corrupted = content.ToArray();
        corrupted[^100] ^= 0xFF; // in the last slice
        var (primary, _) = fixity.AddFile(corrupted, content, original: content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.True(fixity.Slices.All().Count > 1);
        Assert.False(fixity.Registry.Checks.First().Success);
        Assert.Equal(content, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
    }
}
