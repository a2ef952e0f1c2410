using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_a_cold_copy_is_checked
{
    [Fact]
    public async Task Its_s3_checksum_is_compared_and_its_bytes_are_never_read()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        var cold = fixity.AddColdCopy(primary, FixityHarness.Content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(cold.StorageRecordId);

        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        Assert.Empty(fixity.Storage.Reads);
        Assert.Single(fixity.Storage.Heads);
        var check = Assert.Single(fixity.Registry.Checks);
        Assert.True(check.Success);
        Assert.Contains("checked by S3's sha256 checksum, not read", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overwritten_cold_copy_is_repaired_from_a_hot_copy_in_its_own_storage_class()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        var cold = fixity.AddColdCopy(primary, "replaced by a plain PUT"u8.ToArray());
        fixity.Storage.WithoutChecksum[(FixityHarness.Cold, cold.Key)] = true;
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(cold.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.False(fixity.Registry.Checks.First().Success);
        Assert.Equal("GLACIER", fixity.Storage.Classes[(FixityHarness.Cold, cold.Key)]);
        Assert.Equal(FixityHarness.Content, fixity.Storage.Objects[(FixityHarness.Cold, cold.Key)]);
        // Only the hot source is read; the cold copy is checked by HEAD before and after the repair.
        Assert.All(fixity.Storage.Reads, r => Assert.Equal(primary.Key, r.Key));
        Assert.Single(fixity.Storage.Reads);
        var repair = Assert.Single(fixity.Registry.Repairs);
        Assert.Equal(FixityHarness.Primary, repair.Source.Bucket);
        Assert.NotNull(repair.ChecksumSha256);
    }

    [Fact]
    public async Task A_damaged_hot_copy_whose_only_intact_sibling_is_cold_is_not_overwritten()
    {
        await using var fixity = new FixityHarness();
        var damaged = "the original bytes of a preserved fiLE"u8.ToArray();
        var (primary, _) = fixity.AddFile(damaged, null);
        fixity.Registry.Copies.RemoveAll(c => c.StorageRecordId == 2);
        fixity.AddColdCopy(primary, FixityHarness.Content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Lost, completed.Outcome);
        Assert.Empty(fixity.Storage.Copies);
        Assert.Contains("only a cold copy verifies", Assert.Single(fixity.Registry.Lost).Message, StringComparison.Ordinal);
    }
}
