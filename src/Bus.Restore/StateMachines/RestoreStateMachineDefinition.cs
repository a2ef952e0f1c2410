using Bus.Restore.Steps;
using Bus.Workflows.Steps;

namespace Bus.Restore.StateMachines;

/// <summary>The restore saga's endpoint: immediate retries of lost row-lock races and transient database errors, then the outbox.</summary>
public sealed class RestoreStateMachineDefinition()
    : WorkflowSagaDefinition<RestoreState>(RestoreEndpoints.Saga, TransientRetry(RestoreStepPolicy.IsTransient));
