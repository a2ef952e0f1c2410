using Bus.Contracts.Fixity;

namespace Bus.Tests.Fixity;

public class When_a_missing_copy_is_checked
{
    [Fact]
    public async Task Should_restore_it_from_the_other_copy()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(null, FixityHarness.Content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Repaired, completed.Outcome);
        Assert.Equal(FixityHarness.Content, fixity.Storage.Objects[(FixityHarness.Primary, primary.Key)]);
        Assert.Equal("missing", fixity.Registry.Checks.First().OutcomeDetail);
        Assert.Contains("object missing", fixity.Registry.Checks.First().Detail, StringComparison.Ordinal);
    }
}
