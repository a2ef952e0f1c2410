using Bus.Workflows.Steps;
using MassTransit;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// Endpoint policy of the deletion saga: its queue is <c>deletion-state</c>; database conflicts and
/// transient errors are retried; responses and published messages leave only after the saga is
/// saved (the PostgreSQL outbox, <see cref="WorkflowEndpoints.UseWorkflowSagaPolicy"/>), so a caller is
/// never told "accepted" for a transition that was rolled back.
/// </summary>
public sealed class DeletionStateDefinition()
    : WorkflowSagaDefinition<DeletionState>(DeletionQueues.Saga, r => r.Intervals(100, 500, 1000, 2000, 5000));
