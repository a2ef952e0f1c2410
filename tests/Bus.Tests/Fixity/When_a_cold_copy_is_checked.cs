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
    public async Task A_damaged_hot_copy_whose_only_intact_sibling_is_cold_is_repaired_from_it_after_a_restore_and_a_full_read()
    {
        await using var fixity = new FixityHarness();
        var damaged = "the original bytes of a preserved fiLE"u8.ToArray();
        var (primary, _) = fixity.AddFile(damaged, null);
        fixity.Registry.Copies.RemoveAll(c => c.StorageRecordId == 2);
        var cold = fixity.AddColdCopy(primary, FixityHarness.Content);
        fixity.Storage.RestorePolls = 2;
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.Equal(cold.Key, Assert.Single(fixity.Storage.RestoreRequests));
        Assert.Equal($"{FixityHarness.Cold}->{FixityHarness.Primary}", Assert.Single(fixity.Storage.Copies));
        Assert.Equal(FixityHarness.Content, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
        // The cold source was read in full (and recorded as such) before it was copied from.
        Assert.Contains(fixity.Registry.Checks, c => c.Copy.StorageRecordId == cold.StorageRecordId && c.Success
            && c.Detail.Contains("restored and read in full", StringComparison.Ordinal));
        Assert.Contains(fixity.Storage.Reads, r => r.Key == cold.Key);
        Assert.True(fixity.ColdReads.Reads.ContainsKey(cold.StorageRecordId));
        Assert.Contains("restored and read in full before use", Assert.Single(fixity.Registry.Repairs).ReplicationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cold_source_that_matches_its_checksum_but_not_its_digest_is_never_copied_from()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile("the original bytes of a preserved fiLE"u8.ToArray(), null);
        fixity.Registry.Copies.RemoveAll(c => c.StorageRecordId == 2);
        var bad = "the original bytes of a preserved FILE"u8.ToArray();
        // Its S3 checksum attribute is the one recorded (S3 vouches for it), but its bytes are not the ingest's.
        var cold = fixity.AddColdCopy(primary, bad) with { ChecksumSha256 = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(bad)) };
        fixity.Registry.Copies[^1] = cold;
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Lost, completed.Outcome);
        Assert.Empty(fixity.Storage.Copies);
        Assert.Contains("when restored and read in full", Assert.Single(fixity.Registry.Lost).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cold_copy_due_for_its_periodic_read_is_restored_and_read_and_the_next_check_only_heads_it()
    {
        await using var fixity = new FixityHarness(o => o.ColdInterval = TimeSpan.FromDays(365));
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        var cold = fixity.AddColdCopy(primary, FixityHarness.Content) with { StoredAt = DateTimeOffset.UtcNow.AddDays(-400) };
        fixity.Registry.Copies[^1] = cold;
        await fixity.StartAsync();

        Assert.Equal(FixityOutcomes.Intact, (await fixity.CheckAsync(cold.StorageRecordId)).Outcome);
        Assert.Single(fixity.Storage.RestoreRequests);
        Assert.Contains(fixity.Storage.Reads, r => r.Key == cold.Key);
        Assert.Contains("restored and read in full", Assert.Single(fixity.Registry.Checks).Detail, StringComparison.Ordinal);

        var reads = fixity.Storage.Reads.Count;
        Assert.Equal(FixityOutcomes.Intact, (await fixity.CheckAsync(cold.StorageRecordId)).Outcome);
        Assert.Equal(reads, fixity.Storage.Reads.Count);
        Assert.Contains("checked by S3's sha256 checksum, not read", fixity.Registry.Checks.Last().Detail, StringComparison.Ordinal);
    }
}
