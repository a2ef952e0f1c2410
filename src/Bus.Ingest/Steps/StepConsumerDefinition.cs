using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Endpoint policy shared by the step consumers, each on its own queue:
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
public abstract class StepConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly IngestOptions _options;

    protected StepConsumerDefinition(IOptions<IngestOptions> options, Func<IngestQueues, string> queue, int concurrency)
    {
        _options = options.Value;
        EndpointName = queue(new IngestQueues(options));
        ConcurrentMessageLimit = concurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Math.Max(ConcurrentMessageLimit ?? 1, 1);
        endpointConfigurator.UseWorkflowStepPolicy(context, IngestStepPolicy.For(_options));
    }
}
