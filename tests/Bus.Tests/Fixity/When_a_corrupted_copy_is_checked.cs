using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_a_corrupted_copy_is_checked
{
    [Fact]
    public async Task Should_repair_it_from_the_copy_that_verifies_and_record_each_step()
    {
        await using var fixity = new FixityHarness();
        var corrupted = "the original bytes of a preserved fiLE"u8.ToArray();
        var (primary, replica) = fixity.AddFile(FixityHarness.Content, corrupted);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(replica.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.Equal(FixityHarness.Content, fixity.Storage.Objects[(FixityHarness.Replica, replica.Key)]);
        Assert.Equal([$"{FixityHarness.Primary}->{FixityHarness.Replica}"], fixity.Storage.Copies);
        var checks = fixity.Registry.Checks.ToList();
        Assert.Collection(checks,
            failed => { Assert.Equal(replica.StorageRecordId, failed.Copy.StorageRecordId); Assert.False(failed.Success); Assert.Equal("mismatch", failed.OutcomeDetail); },
            source => { Assert.Equal(primary.StorageRecordId, source.Copy.StorageRecordId); Assert.True(source.Success); });
        var repair = Assert.Single(fixity.Registry.Repairs);
        Assert.Equal(FixityHarness.Primary, repair.Source.Bucket);
        Assert.Equal(replica.StorageRecordId, repair.Target.StorageRecordId);
        Assert.Contains("computed " + primary.IngestDigests["sha256"], repair.RecheckDetail, StringComparison.Ordinal);
        Assert.Empty(fixity.Registry.Lost);
    }
}
