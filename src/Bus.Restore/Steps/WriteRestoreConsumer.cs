using Bus.Restore.Data;
using Bus.Restore.StateMachines;
using Bus.Restore.StateMachines.Messages;
using Bus.Workflows.Steps;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Restore.Steps;

/// <summary>
/// Writes the planned restore into the restore bucket through <see cref="RestoreWriter"/>, in time slices: at the end
/// of a slice (or when the host stops) the checkpoint is saved after an uploaded part, a continuation is sent and the
/// message acknowledged; any process continues. The message names the restore only: what is written comes from the
/// saga's row and the plan, and only while the saga is Writing (a forged or late message writes nothing); for a
/// Failed restore it only aborts an upload left open.
/// </summary>
public sealed class WriteRestoreConsumer(RestorePlans plans, RestoreWriter writer, PremisEventsFile premisEvents, IOptions<RestoreOptions> options,
    ILogger<WriteRestoreConsumer> logger)
    : IConsumer<WriteRestore>
{
    public const string ContinuationHeader = "Bus-Restore-Continuation";

    public async Task Consume(ConsumeContext<WriteRestore> context)
    {
        var ct = context.CancellationToken;
        var id = context.Message.RestoreId;
        var slice = TimeSlice.Start(options.Value.TimeSlice, ShutdownSignal.Of(context), ct);
        if (slice.IsStopping)
        {
            // Delivered while this host stops: hand it back untouched for the next host.
            await ContinueAsync(context);
            return;
        }
        var request = await plans.FindRequestAsync(id, ct);
        if (request?.State == "Failed")
        {
            // The saga gave up while the upload was open (a cold copy never came back): nothing may be left behind.
            await writer.AbandonAsync(id, ct);
            await premisEvents.RemoveAsync(id, options.Value.Bucket, ct);
            return;
        }
        if (request is null || request.State is not ("Writing" or "Faulted"))
        {
            logger.LogWarning("WriteRestore {RestoreId} ignored: the restore is {State}", id, request?.State ?? "unknown");
            return;
        }
        var plan = await plans.PlanAsync(id, ct);
        if (plan.Count == 0)
        {
            await context.Publish(new RestoreStepFailed(id, "the restore has no plan: prepare it again"));
            return;
        }
        var isFile = request.Kind == RestoreKinds.OfFile;
        var bagName = request.ObjectIdentifier[(request.Institution.Length + 1)..];
        var layout = isFile
            ? TarLayout.Plain(plan[0].Size)
            : TarLayout.Tar(plan.Select(f => $"{bagName}/{f.Path}").ToList(), plan.Select(f => f.Size).ToList(), request.RequestedAt.ToUnixTimeSeconds());
        var bucket = options.Value.Bucket;
        var key = isFile ? RestoreKeys.ForFile(request.Institution, request.Identifier) : request.DestinationKey ?? RestoreKeys.ForObject(request.Institution, bagName);

        switch (await writer.WriteAsync(request, plan, layout, bucket, key, options.Value.PartBytes, () => slice.ShouldYield, ct))
        {
            case WriteOutcome.Done done:
                await premisEvents.RemoveAsync(id, bucket, ct);
                logger.LogInformation("Restore {RestoreId}: {Bucket}/{Key} written and verified, {Bytes} bytes in {Slices} slice(s)", id, bucket, key, done.Size, done.Slices);
                await context.Publish(new RestoreWritten(id, bucket, key, done.Size, plan.Count(f => f.FileId is not null)));
                return;
            case WriteOutcome.Paused paused:
                logger.LogInformation("Restore {RestoreId}: paused at byte {At} of {Total}; continuing in a new message", id, paused.At, paused.Total);
                await ContinueAsync(context);
                return;
            case WriteOutcome.WaitingForCopy waiting:
                await context.Publish(new RestoreWaitingForCopy(id, waiting.Detail));
                return;
            case WriteOutcome.Failed failed:
                await premisEvents.RemoveAsync(id, bucket, ct);
                await context.Publish(new RestoreStepFailed(id, failed.Reason));
                return;
            case WriteOutcome.Superseded:
                return;
        }
    }

    /// <summary>The same message back to this step's queue (CancellationToken.None: a continuation sent while the host stops must still reach the broker).</summary>
    private static async Task ContinueAsync(ConsumeContext<WriteRestore> context)
    {
        var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
        await endpoint.Send(context.Message, Pipe.Execute<SendContext<WriteRestore>>(s => s.Headers.Set(ContinuationHeader, "write")), CancellationToken.None);
    }
}
