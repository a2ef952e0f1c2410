using Bus.Restore.Steps;
using Bus.Workflows.Steps;

namespace Bus.Restore.SpotTests;

/// <summary>The spot test saga's endpoint: immediate retries of lost row-lock races and transient database errors, then the outbox.</summary>
public sealed class SpotTestStateMachineDefinition()
    : WorkflowSagaDefinition<SpotTestState>(SpotTestEndpoints.Saga, TransientRetry(RestoreStepPolicy.IsTransient));
