using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.StateMachines;
using MassTransit.Testing;

namespace Bus.Tests.Fixity;

public class When_a_check_step_faults
{
    [Fact]
    public async Task Should_report_failed_and_start_over_on_the_next_request()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        var registered = fixity.Registry.Copies[0];
        // A registry without the ingest sha256 is a fatal error: the step faults at once.
        fixity.Registry.Copies[0] = registered with { IngestDigests = new Dictionary<string, string>() };
        await fixity.StartAsync();

        var failed = await fixity.CheckAsync(primary.StorageRecordId);
        Assert.Equal(FixityOutcomes.Failed, failed.Outcome);
        Assert.Contains("MissingIngestDigestException", failed.Detail, StringComparison.Ordinal);
        var saga = fixity.Harness.GetSagaStateMachineHarness<FixityCheckStateMachine, FixityCheckState>();
        Assert.NotNull(await saga.Exists(FixityIds.ForCopy(primary.StorageRecordId), m => m.Faulted));

        fixity.Registry.Copies[0] = registered;
        var retried = await fixity.CheckAsync(primary.StorageRecordId);
        Assert.Equal(FixityOutcomes.Intact, retried.Outcome);
    }
}
