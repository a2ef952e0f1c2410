using Bus.Fixity.Steps;
using Bus.Workflows.Steps;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// The check saga's endpoint: retries of transient database errors (the saga row is locked per message,
/// so concurrent events of one check are serialised by the repository), and with PostgreSQL persistence
/// the outbox: the saga row, its sends (VerifyCopy, RepairCopy) and publishes (FixityCheckCompleted)
/// commit together, so a retried event never sends a step twice (<see cref="WorkflowEndpoints.UseWorkflowSagaPolicy"/>).
/// </summary>
public sealed class FixityCheckStateMachineDefinition()
    : WorkflowSagaDefinition<FixityCheckState>(FixityEndpoints.Check, TransientRetry(FixityStepPolicy.IsTransient));
