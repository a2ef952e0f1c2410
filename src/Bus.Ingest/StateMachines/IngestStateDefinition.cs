using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.StateMachines;

/// <summary>
/// The saga's endpoint policy. Concurrent events for one ingest (a progress report racing a step's
/// result) are serialized by the repository's row lock (SELECT ... FOR UPDATE); a lost race is
/// retried. The PostgreSQL outbox commits the saga row, the commands and events a transition sends
/// and its transition history in one transaction, so a crash never loses or duplicates a step.
/// </summary>
public sealed class IngestStateDefinition(IOptions<IngestOptions> options)
    : WorkflowSagaDefinition<IngestState>(new IngestQueues(options).Saga, r => r.Intervals(50, 200, 500, 1000, 2000), concurrency: 16);
