using Amazon.S3;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Undoes a Rejected, Failed or Cancelled ingest: first marks it ended, so steps still in flight
/// stop at their next file, then deletes its staging objects and every preservation copy this ingest
/// wrote that the registry does not record, marked or not (a crash can lose a batch of marks). A reingest writes changed files under version keys
/// (<see cref="ObjectKeys"/>), never over the recorded version, so that version stays intact and
/// recorded. Marking the bag ended waits for a Record in progress (it holds the bag row), so the
/// registry check sees whatever Record committed; if it did commit, the superseded keys are the ones
/// unrecorded and go instead. What was removed is logged and reported to the saga
/// (IngestCompensated). The receiving tar is kept so the depositor can fix and resubmit.
/// </summary>
public sealed class CompensateIngestConsumer(InterimStore store, CopyCheckpoints checkpoints, PreservationCopier copier, CopyRemover remover, ICopyReadSlices reads, RecordedCopies recorded,
    IOptions<StorageOptions> storage, IOptions<IngestOptions> options, ILogger<CompensateIngestConsumer> logger) : IConsumer<CompensateIngest>
{
    public async Task Consume(ConsumeContext<CompensateIngest> context)
    {
        var id = context.Message.IngestId;
        var ct = context.CancellationToken;
        await store.MarkEndedAsync(id, cancelled: true, ct);
        var stagingDeleted = await remover.DeletePrefixAsync(storage.Value.StagingBucket, ObjectKeys.StagingPrefix(id), ct);
        // A file Unpack paused inside (or a process left between parts) is an open staging upload.
        await remover.AbortUploadsAsync(storage.Value.StagingBucket, ObjectKeys.StagingPrefix(id), ct);
        // A large copy Store left part-way (slice spent) is an incomplete multipart upload: storage billed, never an object.
        // Copies are written only after Validate accepted the bag's storage option; before that the option may be
        // unknown, and then nothing was copied (CopiesFor answers no copies).
        var option = (await store.FindBagAsync(id, ct))?.StorageOption;
        var copies = copier.CopiesFor(option);
        var open = await checkpoints.OpenUploadsAsync(id, ct);
        if (open.Count > 0)
        {
            var files = (await store.FilesAsync(id, InterimFiles.All, ct)).ToDictionary(f => f.Path);
            foreach (var (role, path, uploadId) in open)
            {
                await remover.AbortUploadAsync(copier.CopyFor(option, role).Bucket, ObjectKeys.PreservationFor(id, files[path]), uploadId);
                await checkpoints.ClearUploadAsync(id, path, role, ct);
            }
        }
        // One a process left before saving its checkpoint is named by no checkpoint: found by key.
        await copier.AbortCopyUploadsAsync(id, option, await store.FilesAsync(id, InterimFiles.AtLeast(options.Value.MultipartCopyThresholdBytes), ct), ct);
        var copiesDeleted = 0;
        var written = await store.FilesAsync(id, InterimFiles.WithAnyCopyWritten, ct);
        var candidates = written
            .SelectMany(f => copies
                .Where(copy => f.StoredAt(copy.Slot) is not null)
                .Select(copy => (f.FileId, copy.Bucket, ObjectKeys.PreservationFor(id, f))))
            .Concat((await store.SupersededKeysAsync(id, ct)).Select(k => (k.FileId, copier.CopyFor(option, k.Role).Bucket, k.Key)))
            .Distinct()
            .ToList();
        // One DeleteObjects per bucket (per 1,000 keys), not one request per copy.
        foreach (var bucket in (await recorded.UnrecordedAsync(candidates, ct)).GroupBy(c => c.Bucket))
        {
            await remover.RemoveManyAsync(bucket.Key, bucket.Select(c => c.Key).ToList(), ct);
            foreach (var (fileId, _, key) in bucket)
            {
                copiesDeleted++;
                logger.LogInformation("Compensation of ingest {IngestId} deleted {Bucket}/{Key} (file {FileId})", id, bucket.Key, key, fileId);
            }
        }
        // Store marks its copies in batches (CopyMarks): a process that died between a copy and its batch's mark left
        // a copy no mark names. Its key is this ingest's own (a new file's id, or a changed file's version key), so
        // every unmarked copy slot is deleted by key, if present (S3 reports a missing key deleted), never a recorded key.
        var unmarked = (await store.FilesAsync(id, InterimFiles.ToStoreNotYetStored(copies.Count), ct))
            .SelectMany(f => copies
                .Where(copy => f.StoredAt(copy.Slot) is null)
                .Select(copy => (f.FileId, copy.Bucket, ObjectKeys.PreservationFor(id, f))))
            .Distinct()
            .ToList();
        var unmarkedKeys = 0;
        foreach (var bucket in (await recorded.UnrecordedAsync(unmarked, ct)).GroupBy(c => c.Bucket))
        {
            try
            {
                await remover.RemoveManyAsync(bucket.Key, bucket.Select(c => c.Key).ToList(), ct);
                unmarkedKeys += bucket.Count();
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                // A bucket that does not exist holds no copy (Store faulted on it, as likely as not).
                logger.LogWarning("Compensation of ingest {IngestId}: bucket {Bucket} does not exist, so it holds none of the ingest's unmarked copies", id, bucket.Key);
            }
        }
        if (unmarkedKeys > 0)
            logger.LogInformation("Compensation of ingest {IngestId} deleted {Count} unmarked copy keys if present (a copy made before a crash lost its mark)", id, unmarkedKeys);
        // Verify's read checkpoints of this ingest: nothing will continue them.
        await reads.ForgetWorkflowAsync(id, ct);
        logger.LogInformation("Compensated ingest {IngestId} ({Reason}): {Staging} staging objects and {Copies} preservation copies deleted",
            id, context.Message.Reason, stagingDeleted, copiesDeleted);
        await context.Publish(new IngestCompensated(id, stagingDeleted, copiesDeleted, DateTimeOffset.UtcNow));
    }
}

public sealed class CompensateIngestConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<CompensateIngestConsumer>(options, q => q.Compensate, 2);
