using Bus.Contracts.Deletion;
using Bus.Deletion.Data;
using Bus.Workflows.Copies;
using MassTransit;
using Microsoft.Extensions.Logging;
using Bus.Deletion.StateMachines.Messages;

namespace Bus.Deletion.Steps;

/// <summary>
/// The approved deletion: removes every active copy, then (only when all are gone) tombstones the
/// item and records its PREMIS deletion events in one registry transaction. Safe to run again at any
/// point: removed copies are missing keys (done), the tombstone keeps its first time, event ids are
/// derived from the request. A failure leaves the registry untouched and faults to the error queue.
/// The message is only a trigger: it runs for a request <c>bus.deletion_requests</c> holds as approved
/// for the same item, and who asked, who approved and why come from that row, so a forged or stale
/// <c>DeleteItem</c> deletes nothing (docs/security.md).
/// </summary>
public sealed class DeleteItemConsumer(IDeletionRegistry registry, ICopyRemover storage, IApprovedDeletions approvals, TimeProvider clock,
    ILogger<DeleteItemConsumer> logger)
    : IConsumer<DeleteItem>
{
    public async Task Consume(ConsumeContext<DeleteItem> context)
    {
        var message = context.Message;
        var request = await approvals.FindAsync(message.RequestId, context.CancellationToken);
        if (DeletionRecord.Refusal(request, message.RequestId, message.Identifier) is { } refusal)
        {
            // Acknowledged, not faulted: a replay could never make it valid, and the error queue is no place to keep forgeries.
            logger.LogWarning("DeleteItem {MessageId} for '{Identifier}' refused, nothing deleted: {Refusal}", context.MessageId, message.Identifier, refusal);
            return;
        }
        var target = await registry.FindTargetAsync(message.Identifier, context.CancellationToken)
            ?? throw new InvalidOperationException($"'{message.Identifier}' is not registered: nothing to delete for request {message.RequestId}");

        // One DeleteObjects per bucket; a key S3 refuses fails the step (after the others are tried), so nothing is tombstoned.
        foreach (var bucket in target.Copies.GroupBy(c => c.Bucket))
        {
            await storage.RemoveManyAsync(bucket.Key, bucket.Select(c => c.Key).ToList(), context.CancellationToken);
            foreach (var copy in bucket) logger.LogInformation("Removed copy of {File} from {Bucket}/{Key}", copy.FileIdentifier, copy.Bucket, copy.Key);
        }

        var deletedAt = clock.GetUtcNow();
        await registry.TombstoneAsync(new Tombstone(message.RequestId, message.Identifier, request!.RequestedBy, request.DecidedBy!,
            request.Reason, deletedAt, target.Copies.Count), context.CancellationToken);
        logger.LogInformation("Deleted {Identifier} for request {RequestId}: {Copies} copies removed", message.Identifier, message.RequestId, target.Copies.Count);

        await context.Publish(new ItemDeleted
        {
            RequestId = message.RequestId, Identifier = message.Identifier, CopiesRemoved = target.Copies.Count, DeletedAt = deletedAt,
        });
    }
}
