using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.StateMachines;
using MassTransit.Testing;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Tests.Fixity;

public class When_a_copy_is_requested_twice_while_in_flight
{
    [Fact]
    public async Task Should_read_the_copy_once()
    {
        await using var fixity = new FixityHarness();
        var (primary, _) = fixity.AddFile(FixityHarness.Content, FixityHarness.Content);
        fixity.Storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await fixity.StartAsync();
        var saga = fixity.Harness.GetSagaStateMachineHarness<FixityCheckStateMachine, FixityCheckState>();

        var first = Guid.NewGuid();
        await fixity.Harness.Bus.Publish(new CheckFixity(first, primary.StorageRecordId, "test", DateTimeOffset.UtcNow));
        await fixity.Harness.Bus.Publish(new CheckFixity(Guid.NewGuid(), primary.StorageRecordId, "test", DateTimeOffset.UtcNow));
        Assert.Equal(2, await System.Linq.AsyncEnumerable.CountAsync(System.Linq.AsyncEnumerable.Take(saga.Consumed.SelectAsync<CheckFixity>(), 2)));
        fixity.Storage.Gate.SetResult();

        var completed = await fixity.Ledger.WaitAsync(first, fixity.Harness.TestTimeout);
        Assert.Equal(FixityOutcomes.Intact, completed.Outcome);
        Assert.Single(fixity.Registry.Checks);
        await HarnessWaits.CountIsAsync(1, () => fixity.Harness.Consumed.Select<VerifyCopy>(HarnessWaits.Recorded).Count(), "VerifyCopy consumed");
    }
}
