using Bus.Contracts.Fixity;
using Bus.Fixity.Checks;
using Bus.Fixity.Copies;
using Bus.Platform.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.Consumers;

/// <summary>
/// Repairs a damaged or missing copy: reads the file's other copies until one verifies now (each read
/// recorded as a fixity check of that copy), copies it server-side over the damaged one, verifies the
/// result, and records the replication, the passing re-check and a "repaired" alert. When no copy
/// verifies, raises a "lost" alert and overwrites nothing.
/// Every read is sliced like the verify step's (<see cref="SlicedCopyReader"/>), under a read id of its
/// own derived from the check, the purpose and the copy. When a slice is spent the step sends itself the
/// same <see cref="RepairCopy"/> and acknowledges; the continuation walks the same phases again, answering
/// finished reads from their last slice, so it resumes at the candidate or the post-copy read it stopped in.
/// </summary>
public sealed class RepairCopyConsumer(
    IFixityRegistry registry, SlicedCopyReader reader, ICheckSlices slices, ICopyStorage storage, ShutdownSignal shutdown,
    IOptions<FixityOptions> options, TimeProvider clock, ILogger<RepairCopyConsumer> logger)
    : IConsumer<RepairCopy>
{
    public async Task Consume(ConsumeContext<RepairCopy> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (shutdown.IsStopping)
        {
            // As in the verify step: hand a delivery that arrives while this host stops to the next host untouched.
            await VerifyCopyConsumer.ContinueAsync(context, context.Headers.Get<int>(VerifyCopyConsumer.ContinuationHeader) ?? 0);
            return;
        }
        var slice = TimeSlice.Start(options.Value.TimeSlice, shutdown, ct);
        var target = await registry.FindCopyAsync(m.StorageRecordId, ct) ?? throw new CopyNotRegisteredException(m.StorageRecordId);

        var candidates = new List<CandidateCopy>();
        foreach (var other in await registry.OtherCopiesAsync(m.StorageRecordId, ct))
        {
            var read = await reader.ReadAsync(SourceReadId(m.CheckId, other.StorageRecordId), $"check {m.CheckId} repair source {other.StorageRecordId}", other, slice, reuseDone: true, ct);
            if (read is not SlicedRead.Done { Digest: var digest })
            {
                await StopAsync(context, read);
                return;
            }
            var condition = DigestComparison.Condition(other.IngestDigests, digest);
            await registry.RecordCheckAsync(new CheckRecord(
                FixityIds.ForRecord(m.CheckId, "source-check", other.StorageRecordId), other, condition == CopyConditions.Intact,
                $"fixity check of {other.Bucket}/{other.Key} as repair source for {target.Bucket}/{target.Key}: {DigestComparison.Describe(other.IngestDigests, digest)}",
                condition, clock.GetUtcNow()), ct);
            candidates.Add(new CandidateCopy(other, condition));
            if (condition == CopyConditions.Intact) break;
        }

        var decision = RepairPlanner.Decide(target, candidates);
        if (decision.Source is not { } source)
        {
            await registry.RecordLostAsync(new LostRecord(FixityIds.ForRecord(m.CheckId, "lost", target.StorageRecordId), target,
                $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} is {m.Condition} and cannot be repaired: {decision.LostReason}. Nothing was overwritten.",
                clock.GetUtcNow()), ct);
            await context.Publish(new CopyLost(m.CheckId, m.StorageRecordId, decision.LostReason!));
            return;
        }

        var recheckId = RecheckReadId(m.CheckId, target.StorageRecordId);
        // Copy unless the post-copy read is part-way: copying again would replace the version it is pinned to
        // and restart it for ever. After a finished or missing post-copy read (a retry of a repair that did not
        // verify) the copy is made again, as before slicing.
        if (await slices.LatestAsync(recheckId, ct) is not { Ended: SliceEnds.SliceSpent or SliceEnds.HostStopping })
            await storage.CopyAsync(source.Bucket, source.Key, target.Bucket, target.Key, ct);
        // Not answered from a finished slice: a retried repair copies again, and the resumed read's If-Match
        // proves the object read is still the one there now.
        var recheck = await reader.ReadAsync(recheckId, $"check {m.CheckId} repaired copy {target.StorageRecordId}", target, slice, reuseDone: false, ct);
        if (recheck is not SlicedRead.Done { Digest: var repaired })
        {
            await StopAsync(context, recheck);
            return;
        }
        if (DigestComparison.Condition(target.IngestDigests, repaired) != CopyConditions.Intact)
            throw new RepairNotVerifiedException($"{target.Bucket}/{target.Key} does not verify after copying from {source.Bucket}/{source.Key}: {DigestComparison.Describe(target.IngestDigests, repaired)}");

        var at = clock.GetUtcNow();
        await registry.RecordRepairAsync(new RepairRecord(
            FixityIds.ForRecord(m.CheckId, "replication", target.StorageRecordId),
            FixityIds.ForRecord(m.CheckId, "recheck", target.StorageRecordId),
            FixityIds.ForRecord(m.CheckId, "repaired", target.StorageRecordId),
            target, source,
            $"repaired {m.Condition} copy {target.Bucket}/{target.Key} by server-side copy from {source.Bucket}/{source.Key}",
            $"fixity check of repaired copy {target.Bucket}/{target.Key}: {DigestComparison.Describe(target.IngestDigests, repaired)}",
            $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} was {m.Condition}; repaired from {source.Bucket}/{source.Key} and verified",
            at), ct);
        await context.Publish(new CopyRepaired(m.CheckId, m.StorageRecordId, source.Bucket, repaired!.Digests["sha256"]));
    }

    /// <summary>The slices of the read of candidate <paramref name="storageRecordId"/> as repair source in check <paramref name="checkId"/>.</summary>
    public static Guid SourceReadId(Guid checkId, long storageRecordId) => FixityIds.ForRecord(checkId, "source-read", storageRecordId);

    /// <summary>The slices of the read of the repaired copy in check <paramref name="checkId"/>.</summary>
    public static Guid RecheckReadId(Guid checkId, long storageRecordId) => FixityIds.ForRecord(checkId, "recheck-read", storageRecordId);

    private async Task StopAsync(ConsumeContext<RepairCopy> context, SlicedRead read)
    {
        if (read is not SlicedRead.Paused paused) return; // superseded: the other delivery carries the repair on
        logger.LogInformation("Fixity repair {CheckId}: slice spent; continuing in a new message", context.Message.CheckId);
        await VerifyCopyConsumer.ContinueAsync(context, paused.Slice);
    }
}
