using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.StateMachines;
using MassTransit.Testing;

namespace Bus.Tests.Fixity;

public class When_an_intact_copy_is_checked
{
    [Fact]
    public async Task Should_record_a_successful_check_and_end_the_saga()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        await fixity.StartAsync();

        var completed = await fixity.CheckAsync(primary.StorageRecordId);

        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        var check = Assert.Single(fixity.Registry.Checks);
        Assert.True(check.Success);
        Assert.Equal(primary.StorageRecordId, check.Copy.StorageRecordId);
        Assert.Contains($"sha256 expected {primary.IngestDigests["sha256"]} computed {primary.IngestDigests["sha256"]}", check.Detail, StringComparison.Ordinal);
        Assert.Empty(fixity.Storage.Copies);
        var saga = fixity.Harness.GetSagaStateMachineHarness<FixityCheckStateMachine, FixityCheckState>();
        Assert.Null(await saga.NotExists(FixityIds.ForCopy(primary.StorageRecordId)));
    }
}
