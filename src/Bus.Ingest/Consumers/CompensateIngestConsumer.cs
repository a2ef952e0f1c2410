using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Undoes a Rejected, Failed or Cancelled ingest: first marks it ended, so steps still in flight
/// stop at their next file, then deletes its staging objects and the preservation copies of files
/// this ingest created and never recorded. Copies of files a reingest overwrote keep their key (the
/// registry's UUID) and are left alone: deleting them would lose the preserved version. What was
/// removed is logged and reported to the saga (IngestCompensated). The receiving tar is kept so
/// the depositor can fix and resubmit.
/// </summary>
public sealed class CompensateIngestConsumer(InterimStore store, PreservationCopier copier, IOptions<StorageOptions> storage,
    ILogger<CompensateIngestConsumer> logger) : IConsumer<CompensateIngest>
{
    public async Task Consume(ConsumeContext<CompensateIngest> context)
    {
        var id = context.Message.IngestId;
        var ct = context.CancellationToken;
        await store.MarkEndedAsync(id, cancelled: true, ct);
        var stagingDeleted = await copier.DeletePrefixAsync(storage.Value.StagingBucket, ObjectKeys.StagingPrefix(id), ct);
        var copiesDeleted = 0;
        var created = await store.FilesAsync(id,
            "recorded_at IS NULL AND (primary_stored_at IS NOT NULL OR replica_stored_at IS NOT NULL) AND staging_key = ingest_id::text || '/' || file_id::text", ct);
        foreach (var file in created)
            foreach (var role in StoreFilesConsumer.Roles)
            {
                if ((role == "primary" ? file.PrimaryStoredAt : file.ReplicaStoredAt) is null) continue;
                await copier.DeleteAsync(copier.BucketFor(role), ObjectKeys.Preservation(file.FileId), ct);
                copiesDeleted++;
                logger.LogInformation("Compensation of ingest {IngestId} deleted the {Role} copy of {Path} ({FileId})", id, role, file.Path, file.FileId);
            }
        logger.LogInformation("Compensated ingest {IngestId} ({Reason}): {Staging} staging objects and {Copies} preservation copies deleted",
            id, context.Message.Reason, stagingDeleted, copiesDeleted);
        await context.Publish(new IngestCompensated(id, stagingDeleted, copiesDeleted, DateTimeOffset.UtcNow));
    }
}

public sealed class CompensateIngestConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<CompensateIngestConsumer>(options, q => q.Compensate, 2);
