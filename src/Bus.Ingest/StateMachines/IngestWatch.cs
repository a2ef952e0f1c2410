using Bus.Ingest.StateMachines.Messages;
using Bus.Ingest.Steps;
using Bus.Platform.Options;
using Bus.Workflows.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.StateMachines;

/// <summary>
/// What the saga watchdog knows of an ingest: in each step state the step command <see cref="IngestStateMachine"/>
/// sent on entering it, built from the row the same way. Every ingest step skips work already done (per-file marks,
/// checkpoints, ids made once), so one sent again resumes where the lost one would have.
/// </summary>
public static class IngestWatch
{
    public static SagaWatch<IngestState> Create(IngestOptions options, IngestQueues queues)
    {
        var limit = StuckLimit.For(options.TimeSlice, IngestStepPolicy.For(options));
        return new SagaWatch<IngestState>("ingest")
            // Received: UnpackBag is out, no Unpack delivery has begun yet.
            .Resend(nameof(IngestStateMachine.Received), limit, s => Unpack(s, queues))
            .Resend(nameof(IngestStateMachine.Unpacking), limit, s => Unpack(s, queues))
            .Resend(nameof(IngestStateMachine.Validating), limit,
                s => new(IngestQueues.Address(queues.Validate), new ValidateBag(s.CorrelationId, s.Institution, s.RequestedStorageOption)))
            .Resend(nameof(IngestStateMachine.Identifying), limit, s => new(IngestQueues.Address(queues.Identify), new IdentifyFormats(s.CorrelationId)))
            .Resend(nameof(IngestStateMachine.Storing), limit, s => new(IngestQueues.Address(queues.Store), new StoreFiles(s.CorrelationId)))
            .Resend(nameof(IngestStateMachine.Verifying), limit, s => new(IngestQueues.Address(queues.Verify), new VerifyCopies(s.CorrelationId)))
            .Resend(nameof(IngestStateMachine.Recording), limit, s => new(IngestQueues.Address(queues.Record), new RecordIngest(s.CorrelationId)))
            .Resend(nameof(IngestStateMachine.CleaningUp), limit, s => new(IngestQueues.Address(queues.CleanUp),
                new CleanUpIngest(s.CorrelationId, s.Bucket, s.Key, options.DeleteReceivingObject)))
            .Leave(nameof(IngestStateMachine.WaitingForItem), "its item-lock retry is a scheduled message (bus.scheduled_message), sent by the scheduler")
            .Leave(nameof(IngestStateMachine.Faulted), "a step faulted after its retries: it waits for an operator's replay or cancel")
            .IdentifiedBy(s => s.ObjectIdentifier ?? $"{s.Institution}/{s.Key}");
    }

    private static StepCommand Unpack(IngestState s, IngestQueues queues) =>
        new(IngestQueues.Address(queues.Unpack), new UnpackBag(s.CorrelationId, s.Institution, s.Bucket, s.Key, s.ETag));

    /// <summary>For the scheduler role's watchdog, whichever roles the process runs.</summary>
    public static IServiceCollection AddIngestWatch(this IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<IngestOptions>))) services.AddBusOptions<IngestOptions>(configuration);
        services.TryAddSingleton<IngestQueues>();
        return services.AddSagaWatch(sp => Create(sp.GetRequiredService<IOptions<IngestOptions>>().Value, sp.GetRequiredService<IngestQueues>()));
    }
}
