using Bus.Deletion.StateMachines;
using Bus.Ingest.StateMachines;
using Bus.Persistence.Sagas;
using Bus.Tests.Deletion;
using Bus.Tests.Ingest;

namespace Bus.Tests.Persistence;

/// <summary>
/// busctl's --state lists and terminal sets come from the state machine types (SagaStates): they must
/// be exactly the states MassTransit registered at run time, so a new state (such as ingest's
/// WaitingForItem) can never be missing from them.
/// </summary>
public class When_state_names_are_read_from_the_machines
{
    [Fact]
    public async Task Ingest_names_every_state_the_running_machine_has()
    {
        await using var harness = await IngestSagaHarness.StartAsync();
        Assert.Equal(Registered(harness.Machine.States), IngestStateMachine.StateNames.Order());
        Assert.Contains(nameof(IngestStateMachine.WaitingForItem), IngestStateMachine.StateNames);
        Assert.Subset(IngestStateMachine.StateNames.ToHashSet(), IngestStateMachine.EndStates.ToHashSet());
        Assert.DoesNotContain(nameof(IngestStateMachine.Faulted), IngestStateMachine.EndStates);
    }

    [Fact]
    public async Task Deletion_names_every_state_the_running_machine_has()
    {
        await using var harness = await DeletionHarness.StartAsync();
        Assert.Equal(Registered(harness.Machine.States), DeletionStateMachine.StateNames.Order());
    }

    [Fact]
    public void A_state_typed_in_another_case_matches_and_an_unknown_one_does_not()
    {
        Assert.Equal("WaitingForItem", SagaStates.Match(IngestStateMachine.StateNames, " waitingforitem "));
        Assert.Null(SagaStates.Match(IngestStateMachine.StateNames, "Limbo"));
    }

    // Initial and Final belong to every MassTransit machine; no ingest or deletion row is ever stored in them.
    private static IEnumerable<string> Registered(IEnumerable<MassTransit.State> states) =>
        states.Select(s => s.Name).Where(n => n is not ("Initial" or "Final")).Order();
}
