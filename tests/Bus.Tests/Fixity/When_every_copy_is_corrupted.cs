using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_every_copy_is_corrupted
{
    [Fact]
    public async Task Should_end_lost_with_an_alert_and_overwrite_nothing()
    {
        await using var fixity = new FixityHarness();
        var badPrimary = "bad primary"u8.ToArray();
        var badReplica = "bad replica"u8.ToArray();
        var (primary, _) = fixity.AddFile(badPrimary, badReplica);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Lost, completed.Outcome);
        Assert.Empty(fixity.Storage.Copies);
        Assert.Equal(badPrimary, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
        Assert.Equal(badReplica, fixity.Storage.Objects[(FixityHarness.Replica, primary.Key)]);
        var lost = Assert.Single(fixity.Registry.Lost);
        Assert.Contains("Nothing was overwritten", lost.Message, StringComparison.Ordinal);
        Assert.Empty(fixity.Registry.Repairs);
        Assert.All(fixity.Registry.Checks, c => Assert.False(c.Success));
    }
}
