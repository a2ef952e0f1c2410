using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Persistence.Transactions;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// After Record: deletes the ingest's staging objects, the previous version's copies of files a
/// reingest changed (only now that the registry points at the new keys, and only keys it no longer
/// records), and (by default) the receiving tar; aborts multipart uploads a crashed process left
/// (staging, and the copies of large files); marks the interim rows ended (kept
/// <see cref="IngestOptions.InterimRetentionDays"/>) and purges expired ones. Every part is
/// idempotent: deleting what is already gone succeeds.
/// </summary>
public sealed class CleanUpIngestConsumer(InterimStore store, PreservationCopier copier, CopyRemover remover, ICopyReadSlices reads, RecordedCopies recorded, MessageTransaction transaction,
    IOptions<StorageOptions> storage, IOptions<IngestOptions> options, ILogger<CleanUpIngestConsumer> logger)
    : IConsumer<CleanUpIngest>
{
    public async Task Consume(ConsumeContext<CleanUpIngest> context)
    {
        var m = context.Message;
        // Every message is input: what to delete comes from the saga row, and only an ingest that is cleaning up
        // (or parked in Faulted at this step, for a replay) is cleaned up. A stale or forged command deletes nothing.
        var upload = await store.FindUploadAsync(m.IngestId, context.CancellationToken);
        if (upload is null || !(upload.State == nameof(IngestStateMachine.CleaningUp) || (upload.State == nameof(IngestStateMachine.Faulted) && upload.Step == IngestSteps.CleanUp)))
        {
            logger.LogWarning("CleanUp of {IngestId} ignored: the ingest is {State}, not cleaning up", m.IngestId, upload?.State ?? "unknown");
            return;
        }
        var run = await IngestStep.BeginAsync(context, m.IngestId, IngestSteps.CleanUp, options.Value.TimeSlice);
        // The staged objects are the interim rows' keys: deleted a chunk (one DeleteObjects) at a time, with
        // no listing of the staging prefix. Unpack names every staged object after its row (file id from
        // the path), and a slice's rows commit after its objects, so no staged object lacks a row.
        var deleted = 0;
        var stagedInParts = false;
        var large = new List<InterimFileState>();
        await foreach (var chunk in store.FileChunksAsync(m.IngestId, InterimFiles.All, CopyRemover.BatchKeys, run.CancellationToken))
        {
            await remover.RemoveManyAsync(storage.Value.StagingBucket, chunk.Select(f => f.StagingKey).ToList(), run.CancellationToken);
            deleted += chunk.Count;
            stagedInParts |= chunk.Any(f => f.Size > StagingSink.PartBytes);
            large.AddRange(chunk.Where(f => f.Size >= options.Value.MultipartCopyThresholdBytes));
        }
        // Only a file over one staging part was uploaded in parts: a bag of small files skips the listing.
        if (stagedInParts)
            await remover.AbortUploadsAsync(storage.Value.StagingBucket, ObjectKeys.StagingPrefix(m.IngestId), run.CancellationToken);
        // A reingest keeps the object's storage option, so the superseded version's copies are in the same slots' buckets.
        var option = (await store.FindBagAsync(m.IngestId, run.CancellationToken))?.StorageOption;
        await copier.AbortCopyUploadsAsync(m.IngestId, option, large, run.CancellationToken);
        var superseded = (await store.SupersededKeysAsync(m.IngestId, run.CancellationToken))
            .Select(k => (k.FileId, copier.CopyFor(option, k.Role).Bucket, k.Key)).ToList();
        foreach (var bucket in (await recorded.UnrecordedAsync(superseded, run.CancellationToken)).GroupBy(c => c.Bucket))
        {
            await remover.RemoveManyAsync(bucket.Key, bucket.Select(c => c.Key).ToList(), run.CancellationToken);
            foreach (var (fileId, _, key) in bucket)
            {
                logger.LogInformation("Ingest {IngestId} removed the superseded copy {Bucket}/{Key} of file {FileId}", m.IngestId, bucket.Key, key, fileId);
                deleted++;
            }
        }
        if (m.DeleteReceivingObject && options.Value.DeleteReceivingObject)
        {
            // Only the object this ingest was made from: a depositor may already have uploaded a newer tar to the same key.
            if (await remover.DeleteIfUnchangedAsync(upload.Bucket, upload.Key, upload.ETag, run.CancellationToken)) deleted++;
            else
                logger.LogInformation("Ingest {IngestId} left {Bucket}/{Key}: it is no longer the upload ingested (ETag {ETag}) but a newer one",
                    m.IngestId, upload.Bucket, upload.Key, upload.ETag);
        }
        await reads.ForgetWorkflowAsync(m.IngestId, run.CancellationToken);
        await store.MarkEndedAsync(m.IngestId, cancelled: false, run.CancellationToken, transaction.Transaction);
        await store.PurgeAsync(options.Value.InterimRetentionDays, run.CancellationToken);
        await context.Publish(new IngestCleanedUp(m.IngestId, deleted, DateTimeOffset.UtcNow));
    }
}

public sealed class CleanUpIngestConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<CleanUpIngestConsumer>(options, q => q.CleanUp, 4);
