using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;

namespace Bus.Tests.Fixity;

public class When_a_repair_in_slices_finds_no_good_copy
{
    [Fact]
    public async Task Should_read_the_candidate_in_slices_and_end_lost_overwriting_nothing()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15);
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var badPrimary = content.ToArray();
        badPrimary[10] ^= 0xFF;
        var badReplica = content.ToArray();
        badReplica[^10] ^= 0xFF; // in the candidate's last slice
        var (primary, replica) = fixity.AddFile(badPrimary, badReplica, original: content);
        await fixity.StartAsync();
        var checkId = Guid.NewGuid();

        var completed = await fixity.CheckAsync(primary.StorageRecordId, checkId);

        Assert.Equal(FixityOutcomes.Lost, completed.Outcome);
        var source = await fixity.Slices.ListAsync(RepairCopyConsumer.SourceReadId(checkId, replica.StorageRecordId), CancellationToken.None);
        Assert.True(source.Count > 1, $"expected several slices, got {source.Count}");
        Assert.Equal(badReplica.Length, source[^1].ToOffset);
        Assert.Empty(await fixity.Slices.ListAsync(RepairCopyConsumer.RecheckReadId(checkId, primary.StorageRecordId), CancellationToken.None));
        Assert.Empty(fixity.Storage.Copies);
        Assert.Equal(badPrimary, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
        Assert.Equal(badReplica, fixity.Storage.Objects[(FixityHarness.Replica, replica.Key)]);
        Assert.Single(fixity.Registry.Lost);
        Assert.Empty(fixity.Registry.Repairs);
    }
}
