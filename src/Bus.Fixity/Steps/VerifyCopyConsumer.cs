using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
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
/// Reads a hot copy, computes the configured digests and compares them with the ingest digests (a cold copy is
/// compared by its S3 checksum attribute instead: <see cref="ColdCopyCheck"/>, and, when its periodic read under
/// <see cref="FixityOptions.ColdInterval"/> is due, restored and then read like a hot copy: <see cref="ColdCopyRead"/>); records
/// the PREMIS fixity check (success or failure, both digests in the detail) and the copy's last check.
/// A read longer than <see cref="FixityOptions.TimeSlice"/>, or one the host's shutdown interrupts,
/// checkpoints (offset, object version, hash states) in the copy kit's store (<c>bus.copy_read_slices</c>), sends this step a
/// continuation and acknowledges; the continuation, in any process, resumes from the checkpoint. A
/// redelivered message resumes from the newest checkpoint too and records nothing twice (the event id
/// comes from the check; recording slice n+1 is a compare-and-set).
/// </summary>
public sealed class VerifyCopyConsumer(
    IFixityRegistry registry, SlicedCopyReader reader, ICopyStorage storage, ICopyReadSlices slices, IColdReads coldReads, ShutdownSignal shutdown,
    IOptions<FixityOptions> options, TimeProvider clock, ILogger<VerifyCopyConsumer> logger)
    : IConsumer<VerifyCopy>
{
    /// <summary>Marks a continuation (its value is the slice it follows), for logs and traces.</summary>
    public const string ContinuationHeader = "Bus-Fixity-Continuation";

    public async Task Consume(ConsumeContext<VerifyCopy> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (shutdown.IsStopping)
        {
            // Delivered while this host stops (the continuation it just sent can come back before MassTransit
            // stops consuming): hand it back untouched for the next host rather than read one more block here.
            await ContinueAsync(context, context.Headers.Get<int>(ContinuationHeader) ?? 0);
            return;
        }
        var slice = TimeSlice.Start(options.Value.TimeSlice, shutdown, ct);
        var copy = await registry.FindCopyAsync(m.StorageRecordId, ct) ?? throw new CopyNotRegisteredException(m.StorageRecordId);
        var coldRead = false;
        if (copy.IsCold)
        {
            // A read already begun (a continuation, a redelivery) carries on whatever the schedule says now.
            coldRead = await slices.LatestAsync(m.CheckId, ct) is not null;
            if (!coldRead)
            {
                // A cold copy's GET is refused until a restore: its checksum attribute is compared (one HEAD, no slices);
                // only an intact one whose periodic read is due goes on to be restored and read in full.
                var cold = await ColdCopyCheck.CheckAsync(storage, copy, ColdCopyCheck.Expected(copy), ct);
                coldRead = cold.Condition == CopyConditions.Intact
                    && ColdReadSchedule.IsDue(options.Value.ColdInterval, await coldReads.LastReadAsync(copy.StorageRecordId, ct), copy.StoredAt, clock.GetUtcNow());
                if (!coldRead)
                {
                    await registry.RecordCheckAsync(new CheckRecord(
                        FixityIds.ForRecord(m.CheckId, "check", copy.StorageRecordId), copy, cold.Condition == CopyConditions.Intact,
                        $"fixity check of {copy.Bucket}/{copy.Key}: {cold.Description}", cold.Condition, clock.GetUtcNow()), ct);
                    logger.LogInformation("Fixity check {CheckId}: cold copy {Bucket}/{Key} is {Condition} by its S3 checksum", m.CheckId, copy.Bucket, copy.Key, cold.Condition);
                    await context.Publish(new CopyVerified(m.CheckId, m.StorageRecordId, copy.FileIdentifier, copy.Bucket, copy.Key, cold.Condition,
                        copy.IngestDigests, cold.Digests));
                    return;
                }
            }
            if (await ColdCopyRead.WaitForRestoreAsync(storage, copy, options.Value, ct) is { } waiting)
            {
                logger.LogInformation("Fixity check {CheckId}: periodic read of cold copy {Bucket}/{Key}: {Detail}", m.CheckId, copy.Bucket, copy.Key, waiting);
                await context.Publish(new ColdCopyRestoring(m.CheckId, m.StorageRecordId, waiting));
                return;
            }
        }

        // The check's own read is keyed by the check id (its slices are the check's slices); it re-reads from
        // its final checkpoint on redelivery (no bytes) so the If-Match still proves the version is there.
        SlicedRead read;
        try
        {
            read = await reader.ReadAsync(m.CheckId, m.CheckId, $"Fixity check {m.CheckId}", copy.Location, options.Value.ReadSettings, () => slice.ShouldYield, () => slice.IsStopping, reuseDone: false, ct);
        }
        catch (Exception e) when (ServedChecksum.Refused(e))
        {
            var how = coldRead ? $"{copy.Tier} copy ({copy.StorageClass}) restored and read in full (Bus:Fixity:ColdInterval): " : "";
            await registry.RecordCheckAsync(new CheckRecord(
                FixityIds.ForRecord(m.CheckId, "check", copy.StorageRecordId), copy, false,
                $"fixity check of {copy.Bucket}/{copy.Key}: {how}{ServedChecksum.Describe}", CopyConditions.Mismatch, clock.GetUtcNow()), ct);
            if (coldRead) await coldReads.RecordAsync(copy.StorageRecordId, m.CheckId, clock.GetUtcNow(), ct);
            logger.LogWarning("Fixity check {CheckId}: {Bucket}/{Key} is {Condition}: {Detail}", m.CheckId, copy.Bucket, copy.Key, CopyConditions.Mismatch, ServedChecksum.Describe);
            await context.Publish(new CopyVerified(m.CheckId, m.StorageRecordId, copy.FileIdentifier, copy.Bucket, copy.Key, CopyConditions.Mismatch,
                copy.IngestDigests, new Dictionary<string, string>()));
            return;
        }
        switch (read)
        {
            case SlicedRead.Paused paused:
                await ContinueAsync(context, paused.Slice);
                return;
            case SlicedRead.Done done:
                var digest = done.Digest;
                var condition = DigestComparison.Condition(copy.IngestDigests, digest);
                var how = coldRead ? $"{copy.Tier} copy ({copy.StorageClass}) restored and read in full (Bus:Fixity:ColdInterval): " : "";
                await registry.RecordCheckAsync(new CheckRecord(
                    FixityIds.ForRecord(m.CheckId, "check", copy.StorageRecordId), copy, condition == CopyConditions.Intact,
                    $"fixity check of {copy.Bucket}/{copy.Key}: {how}{DigestComparison.Describe(copy.IngestDigests, digest)}",
                    condition, clock.GetUtcNow()), ct);
                if (coldRead) await coldReads.RecordAsync(copy.StorageRecordId, m.CheckId, clock.GetUtcNow(), ct);
                logger.LogInformation("Fixity check {CheckId}: {Bucket}/{Key} is {Condition} (read in {Slices} slice(s))", m.CheckId, copy.Bucket, copy.Key, condition, done.Slices);
                await context.Publish(new CopyVerified(m.CheckId, m.StorageRecordId, copy.FileIdentifier, copy.Bucket, copy.Key, condition,
                    copy.IngestDigests, digest?.Digests ?? new Dictionary<string, string>()));
                return;
        }
    }

    /// <summary>Sends this step the same message; CancellationToken.None: a continuation sent while the host stops must still reach the broker.</summary>
    internal static async Task ContinueAsync<T>(ConsumeContext<T> context, int afterSlice) where T : class
    {
        var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
        await endpoint.Send(context.Message, Pipe.Execute<SendContext<T>>(s => s.Headers.Set(ContinuationHeader, afterSlice)), CancellationToken.None);
    }
}
