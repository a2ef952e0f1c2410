using Bus.Workflows.Copies.Data;
using System.Security.Cryptography;
using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;

namespace Bus.Tests.Fixity;

public class When_a_repair_reads_in_several_slices
{
    [Fact]
    public async Task Should_verify_the_source_and_the_repaired_copy_slice_by_slice_and_repair_once()
    {
        await using var fixity = new FixityHarness(o => o.TimeSlice = TimeSpan.FromMilliseconds(100));
        fixity.Storage.ReadDelay = TimeSpan.FromMilliseconds(15);
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var corrupted = content.ToArray();
        corrupted[10] ^= 0xFF;
        var (primary, replica) = fixity.AddFile(corrupted, content, original: content);
        await fixity.StartAsync();
        var checkId = Guid.NewGuid();

        var completed = await fixity.CheckAsync(primary.StorageRecordId, checkId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        var source = await fixity.Slices.ListAsync(RepairCopyConsumer.SourceReadId(checkId, replica.StorageRecordId), CancellationToken.None);
        var recheck = await fixity.Slices.ListAsync(RepairCopyConsumer.RecheckReadId(checkId, primary.StorageRecordId), CancellationToken.None);
        AssertSliced(source, content.Length);
        AssertSliced(recheck, content.Length);
        Assert.Equal(content, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
        // The continuations pass the copy step again: it must not copy over the read in progress.
        Assert.Single(fixity.Storage.Copies);
        Assert.Single(fixity.Registry.Repairs);
        Assert.Equal(2, fixity.Registry.Checks.Select(c => c.EventId).Distinct().Count());
    }

    private static void AssertSliced(IReadOnlyList<CopyReadSlice> slices, long size)
    {
        Assert.True(slices.Count > 1, $"expected several slices, got {slices.Count}");
        Assert.Equal(0, slices[0].FromOffset);
        for (var i = 1; i < slices.Count; i++) Assert.Equal(slices[i - 1].ToOffset, slices[i].FromOffset);
        Assert.Equal(size, slices[^1].ToOffset);
        Assert.Equal("finished", slices[^1].Ended);
    }
}
