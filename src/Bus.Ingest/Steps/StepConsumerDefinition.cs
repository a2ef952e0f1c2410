using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// The ingest steps' endpoint definition (the kit's <see cref="WorkflowStepDefinition{TConsumer}"/>), each on its own queue,
/// prefetching only what it runs:
/// <list type="bullet">
/// <item>failures (<see cref="IngestStepPolicy"/>): a transient error (<see cref="TransientErrors"/>), after
/// Polly's quick S3 retries, is retried with exponential backoff, then the command is redelivered later
/// through the PostgreSQL scheduler, then it faults to <c>_error</c> and its Fault parks the saga. A fatal
/// error faults at once. An invalid bag is not an error: the step publishes BagInvalid and completes.</item>
/// <item>the PostgreSQL inbox and outbox: the step's result writes and the events and commands it sends
/// (its result, IngestStepFailed, a continuation) commit in one transaction, and a redelivered command
/// that already committed is skipped. Checkpoints of S3 work (per-file marks) commit at once on their own,
/// so a rolled-back attempt never forgets a copy it made; "started" and progress reports bypass the
/// outbox (<see cref="StepRun{T}"/>).</item>
/// </list>
/// </summary>
public abstract class StepConsumerDefinition<TConsumer>(IOptions<IngestOptions> options, Func<IngestQueues, string> queue, int concurrency)
    : WorkflowStepDefinition<TConsumer>(queue(new IngestQueues(options)), IngestStepPolicy.For(options.Value), concurrency, prefetchOnlyWhatItRuns: true)
    where TConsumer : class, IConsumer;
