using Bus.Workflows.Steps;
using Bus.Fixity.StateMachines.Messages;
namespace Bus.Fixity;

/// <summary>
/// Queue names of the fixity endpoints, by the kit's rule (<see cref="WorkflowQueues"/>): the check saga
/// on <c>fixity-state</c>, each step on <c>fixity-&lt;step&gt;</c>. Fixed, because senders (the sweep,
/// busctl) address the saga directly.
/// </summary>
public static class FixityEndpoints
{
    public static readonly WorkflowQueues Queues = new("fixity");

    public static string Check => Queues.Saga;
    public static string VerifyCopy => Queues.Step("verify-copy");
    public static string RepairCopy => Queues.Step("repair-copy");
    public static string RecordOutcome => Queues.Step("record-outcome");
}
