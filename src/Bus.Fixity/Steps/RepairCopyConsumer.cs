using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Workflows.Coordination;
using Bus.Platform.Messaging;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.Steps;

/// <summary>
/// Repairs a damaged or missing copy: reads the file's other copies until one verifies now (each read
/// recorded as a fixity check of that copy), copies it server-side over the damaged one, verifies the
/// result, and records the replication, the passing re-check and a "repaired" alert. When no copy
/// verifies, raises a "lost" alert and overwrites nothing. A cold candidate is checked by its S3 checksum; when it is the
/// only one that verifies, the repair asks S3 to restore it (the saga waits, polling, in WaitingForRepairSource), reads it
/// in full and compares its digests with the registry's before a byte of it is copied.
/// Every read is sliced like the verify step's (<see cref="SlicedCopyReader"/>), under a read id of its
/// own derived from the check, the purpose and the copy. When a slice is spent the step sends itself the
/// same <see cref="RepairCopy"/> and acknowledges; the continuation walks the same phases again, answering
/// finished reads from their last slice, so it resumes at the candidate or the post-copy read it stopped in.
/// <para>
/// The repair respects the object's item lock (<see cref="IItemLocks"/>): while a deletion (or an ingest) holds
/// it, the repair is deferred: nothing is read, copied or alerted (a deletion removing copies would otherwise
/// read as a lost file, and a copy written back would undo the deletion), and the check ends
/// <see cref="FixityOutcomes.Deferred"/>. The copy stays marked as failed in the registry for the next check. The
/// server-side copy itself runs holding the lock (kind <see cref="ItemLockKinds.FixityRepair"/>), so no deletion
/// can start between the look and the write; it is released right after the copy.
/// </para>
/// </summary>
public sealed class RepairCopyConsumer(
    IFixityRegistry registry, SlicedCopyReader reader, ICopyReadSlices slices, ICopyStorage storage, IItemLocks locks, IColdReads coldReads,
    ShutdownSignal shutdown, IOptions<FixityOptions> options, TimeProvider clock, ILogger<RepairCopyConsumer> logger)
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
        if (await locks.FindAsync(target.ObjectIdentifier, ct) is { } held && held.Owner != RepairLockOwner(m.CheckId, target.StorageRecordId))
        {
            await DeferAsync(context, target, held);
            return;
        }

        var candidates = new List<CandidateCopy>();
        foreach (var other in await registry.OtherCopiesAsync(m.StorageRecordId, ct))
        {
            if (other.IsCold)
            {
                // Checked by its S3 checksum here; chosen only when no hot copy verifies, and then restored and read first.
                var cold = await ColdCopyCheck.CheckAsync(storage, other, ColdCopyCheck.Expected(other), ct);
                await registry.RecordCheckAsync(new CheckRecord(
                    FixityIds.ForRecord(m.CheckId, "source-check", other.StorageRecordId), other, cold.Condition == CopyConditions.Intact,
                    $"fixity check of {other.Bucket}/{other.Key} as repair source for {target.Bucket}/{target.Key}: {cold.Description}",
                    cold.Condition, clock.GetUtcNow()), ct);
                candidates.Add(new CandidateCopy(other, cold.Condition));
                continue;
            }
            SlicedRead read;
            try
            {
                read = await reader.ReadAsync(SourceReadId(m.CheckId, other.StorageRecordId), m.CheckId, $"Fixity check {m.CheckId} repair source {other.StorageRecordId}", other.Location,
                    options.Value.ReadSettings, () => slice.ShouldYield, () => slice.IsStopping, reuseDone: true, ct);
            }
            catch (Exception e) when (ServedChecksum.Refused(e))
            {
                await registry.RecordCheckAsync(new CheckRecord(
                    FixityIds.ForRecord(m.CheckId, "source-check", other.StorageRecordId), other, false,
                    $"fixity check of {other.Bucket}/{other.Key} as repair source for {target.Bucket}/{target.Key}: {ServedChecksum.Describe}",
                    CopyConditions.Mismatch, clock.GetUtcNow()), ct);
                candidates.Add(new CandidateCopy(other, CopyConditions.Mismatch));
                continue;
            }
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
            await LostAsync(context, target, decision.LostReason!, ct);
            return;
        }

        var fromCold = source.IsCold;
        if (fromCold)
        {
            if (await ColdCopyRead.WaitForRestoreAsync(storage, source, options.Value, ct) is { } waiting)
            {
                logger.LogInformation("Fixity repair {CheckId}: repair source is cold copy {Bucket}/{Key}: {Detail}", m.CheckId, source.Bucket, source.Key, waiting);
                await context.Publish(new ColdCopyRestoring(m.CheckId, m.StorageRecordId, waiting));
                return;
            }
            // Its S3 checksum only says S3 holds what ingest stored: every byte is read and compared before one is copied.
            SlicedRead read;
            try
            {
                read = await reader.ReadAsync(SourceReadId(m.CheckId, source.StorageRecordId), m.CheckId, $"Fixity check {m.CheckId} cold repair source {source.StorageRecordId}",
                    source.Location, options.Value.ReadSettings, () => slice.ShouldYield, () => slice.IsStopping, reuseDone: true, ct);
            }
            catch (Exception e) when (ServedChecksum.Refused(e))
            {
                await registry.RecordCheckAsync(new CheckRecord(
                    FixityIds.ForRecord(m.CheckId, "source-read-check", source.StorageRecordId), source, false,
                    $"fixity check of {source.Bucket}/{source.Key} as repair source for {target.Bucket}/{target.Key}: restored and read in full: {ServedChecksum.Describe}",
                    CopyConditions.Mismatch, clock.GetUtcNow()), ct);
                await LostAsync(context, target, $"no other copy verifies: cold copy {source.Bucket}/{source.Key} matched its S3 checksum but is {CopyConditions.Mismatch} when restored and read in full", ct);
                return;
            }
            if (read is not SlicedRead.Done { Digest: var digest })
            {
                await StopAsync(context, read);
                return;
            }
            var condition = DigestComparison.Condition(source.IngestDigests, digest);
            await registry.RecordCheckAsync(new CheckRecord(
                FixityIds.ForRecord(m.CheckId, "source-read-check", source.StorageRecordId), source, condition == CopyConditions.Intact,
                $"fixity check of {source.Bucket}/{source.Key} as repair source for {target.Bucket}/{target.Key}: {source.Tier} copy ({source.StorageClass}) restored and read in full: {DigestComparison.Describe(source.IngestDigests, digest)}",
                condition, clock.GetUtcNow()), ct);
            await coldReads.RecordAsync(source.StorageRecordId, m.CheckId, clock.GetUtcNow(), ct);
            if (condition != CopyConditions.Intact)
            {
                await LostAsync(context, target, $"no other copy verifies: cold copy {source.Bucket}/{source.Key} matched its S3 checksum but is {condition} when restored and read in full", ct);
                return;
            }
        }
        var sourceNote = fromCold ? $" (a {source.StorageClass} copy, restored and read in full before use)" : "";

        var recheckId = RecheckReadId(m.CheckId, target.StorageRecordId);
        // Copy unless the post-copy read is part-way: copying again would replace the version it is pinned to
        // and restart it for ever. After a finished or missing post-copy read (a retry of a repair that did not
        // verify) the copy is made again, as before slicing.
        if (await slices.LatestAsync(recheckId, ct) is not { Ended: SliceEnds.SliceSpent or SliceEnds.HostStopping })
        {
            var owner = RepairLockOwner(m.CheckId, target.StorageRecordId);
            var taken = await locks.TryAcquireAsync(target.ObjectIdentifier, ItemLockKinds.FixityRepair, owner, ct);
            if (!taken.Acquired)
            {
                await DeferAsync(context, target, taken.Holder);
                return;
            }
            try
            {
                // Written as the target is stored (its storage class), with S3's checksum.
                await storage.CopyAsync(source.Bucket, source.Key, target.Bucket, target.Key, target.Write, ct);
            }
            finally
            {
                // A process that dies here leaves the lock row; the redelivered RepairCopy takes it again as the same
                // owner (idempotent) and releases it after its own copy.
                await locks.ReleaseAsync(target.ObjectIdentifier, owner, CancellationToken.None);
            }
        }
        if (target.IsCold)
        {
            // A cold copy written by a single CopyObject (the whole-copy writer's parts start above 5 GiB) carries the
            // plain sha256 checksum, whatever composite its ingest copy had.
            var expected = CopyChecksums.FromHex(target.IngestDigests["sha256"]);
            var cold = await ColdCopyCheck.CheckAsync(storage, target, expected, ct);
            if (cold.Condition != CopyConditions.Intact)
                throw new RepairNotVerifiedException($"{target.Bucket}/{target.Key} does not verify after copying from {source.Bucket}/{source.Key}: {cold.Description}");
            await registry.RecordRepairAsync(new RepairRecord(
                FixityIds.ForRecord(m.CheckId, "replication", target.StorageRecordId),
                FixityIds.ForRecord(m.CheckId, "recheck", target.StorageRecordId),
                FixityIds.ForRecord(m.CheckId, "repaired", target.StorageRecordId),
                target, source,
                $"repaired {m.Condition} copy {target.Bucket}/{target.Key} by server-side copy from {source.Bucket}/{source.Key} as {target.StorageClass}",
                $"fixity check of repaired copy {target.Bucket}/{target.Key}: {cold.Description}",
                $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} was {m.Condition}; repaired from {source.Bucket}/{source.Key} and verified by its S3 checksum",
                clock.GetUtcNow(), cold.ReportedChecksum), ct);
            await context.Publish(new CopyRepaired(m.CheckId, m.StorageRecordId, source.Bucket, target.IngestDigests["sha256"]));
            return;
        }

        // Not answered from a finished slice: a retried repair copies again, and the resumed read's If-Match
        // proves the object read is still the one there now.
        var recheck = await reader.ReadAsync(recheckId, m.CheckId, $"Fixity check {m.CheckId} repaired copy {target.StorageRecordId}", target.Location,
            options.Value.ReadSettings, () => slice.ShouldYield, () => slice.IsStopping, reuseDone: false, ct);
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
            $"repaired {m.Condition} copy {target.Bucket}/{target.Key} by server-side copy from {source.Bucket}/{source.Key}{sourceNote}",
            $"fixity check of repaired copy {target.Bucket}/{target.Key}: {DigestComparison.Describe(target.IngestDigests, repaired)}",
            $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} was {m.Condition}; repaired from {source.Bucket}/{source.Key}{sourceNote} and verified",
            at), ct);
        await context.Publish(new CopyRepaired(m.CheckId, m.StorageRecordId, source.Bucket, repaired!.Digests["sha256"]));
    }

    private async Task LostAsync(ConsumeContext<RepairCopy> context, RegisteredCopy target, string reason, CancellationToken ct)
    {
        var m = context.Message;
        // Copies missing because a deletion started while they were read are not a lost file.
        if (await locks.FindAsync(target.ObjectIdentifier, ct) is { } lockedMeanwhile && lockedMeanwhile.Owner != RepairLockOwner(m.CheckId, target.StorageRecordId))
        {
            await DeferAsync(context, target, lockedMeanwhile);
            return;
        }
        await registry.RecordLostAsync(new LostRecord(FixityIds.ForRecord(m.CheckId, "lost", target.StorageRecordId), target,
            $"{target.FileIdentifier}: copy {target.Bucket}/{target.Key} is {m.Condition} and cannot be repaired: {reason}. Nothing was overwritten.",
            clock.GetUtcNow()), ct);
        await context.Publish(new CopyLost(m.CheckId, m.StorageRecordId, reason), ct);
    }

    /// <summary>The slices of the read of candidate <paramref name="storageRecordId"/> as repair source in check <paramref name="checkId"/>.</summary>
    public static Guid SourceReadId(Guid checkId, long storageRecordId) => FixityIds.ForRecord(checkId, "source-read", storageRecordId);

    /// <summary>The item-lock owner of check <paramref name="checkId"/>'s repair of copy <paramref name="storageRecordId"/> while it writes.</summary>
    public static Guid RepairLockOwner(Guid checkId, long storageRecordId) => FixityIds.ForRecord(checkId, "repair-lock", storageRecordId);

    private async Task DeferAsync(ConsumeContext<RepairCopy> context, RegisteredCopy target, ItemLock held)
    {
        var reason = $"'{target.ObjectIdentifier}' is locked by {held.Kind} {held.Owner} since {held.Since:u}: {target.Bucket}/{target.Key} " +
            $"({context.Message.Condition}) was not repaired; nothing was read, copied or alerted";
        logger.LogWarning("Fixity repair {CheckId} deferred: {Reason}", context.Message.CheckId, reason);
        await context.Publish(new CopyRepairDeferred(context.Message.CheckId, context.Message.StorageRecordId, reason));
    }

    /// <summary>The slices of the read of the repaired copy in check <paramref name="checkId"/>.</summary>
    public static Guid RecheckReadId(Guid checkId, long storageRecordId) => FixityIds.ForRecord(checkId, "recheck-read", storageRecordId);

    private async Task StopAsync(ConsumeContext<RepairCopy> context, SlicedRead read)
    {
        if (read is not SlicedRead.Paused paused) return; // superseded: the other delivery carries the repair on
        logger.LogInformation("Fixity repair {CheckId}: slice spent; continuing in a new message", context.Message.CheckId);
        await VerifyCopyConsumer.ContinueAsync(context, paused.Slice);
    }
}
