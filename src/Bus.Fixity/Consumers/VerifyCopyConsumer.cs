using Bus.Contracts.Fixity;
using Bus.Fixity.Checks;
using Bus.Fixity.Copies;
using Bus.Platform.Hashing;
using Bus.Platform.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.Consumers;

/// <summary>
/// Reads the copy, computes the configured digests and compares them with the ingest digests; records
/// the PREMIS fixity check (success or failure, both digests in the detail) and the copy's last check.
/// A read longer than <see cref="FixityOptions.TimeSlice"/>, or one the host's shutdown interrupts,
/// checkpoints (offset, object version, hash states) in <c>fixity.check_slices</c>, sends this step a
/// continuation and acknowledges; the continuation, in any process, resumes from the checkpoint. A
/// redelivered message resumes from the newest checkpoint too and records nothing twice (the event id
/// comes from the check; recording slice n+1 is a compare-and-set).
/// </summary>
public sealed class VerifyCopyConsumer(
    IFixityRegistry registry, CopyDigester digester, ICheckSlices slices, ShutdownSignal shutdown, IOptions<FixityOptions> options,
    TimeProvider clock, ILogger<VerifyCopyConsumer> logger)
    : IConsumer<VerifyCopy>
{
    /// <summary>Marks a continuation (its value is the slice it follows), for logs and traces.</summary>
    public const string ContinuationHeader = "Bus-Fixity-Continuation";
    private static readonly string Host = $"{Environment.MachineName}:{Environment.ProcessId}";

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
        var startedAt = clock.GetUtcNow();
        var copy = await registry.FindCopyAsync(m.StorageRecordId, ct) ?? throw new CopyNotRegisteredException(m.StorageRecordId);
        var last = await slices.LatestAsync(m.CheckId, ct);
        var number = (last?.Slice ?? 0) + 1;
        var (from, restartReason) = Resume(m.CheckId, last);
        logger.LogInformation("Fixity check {CheckId}: reading {Bucket}/{Key} from byte {Offset} (slice {Slice})", m.CheckId, copy.Bucket, copy.Key, from?.Offset ?? 0, number);

        SliceResult result;
        for (var restarts = 0; ; restarts++)
        {
            result = await digester.ReadSliceAsync(copy.Bucket, copy.Key, from, () => slice.ShouldYield, ct);
            if (result is not SliceResult.Changed changed) break;
            // Never mix bytes of two versions: the check starts over on the version there is now.
            if (restarts >= options.Value.MaxRestartsPerSlice)
                throw new CopyChangedException($"{copy.Bucket}/{copy.Key} was replaced {restarts + 1} times while fixity check {m.CheckId} read it: {changed.Reason}");
            logger.LogWarning("Fixity check {CheckId}: {Reason}; reading it again from the start", m.CheckId, changed.Reason);
            restartReason = "object replaced: " + changed.Reason;
            from = null;
        }

        var algorithms = options.Value.AlgorithmList;
        var record = result switch
        {
            SliceResult.Paused p => Slice(m, number, p.From, p.At, slice.IsStopping ? SliceEnds.HostStopping : SliceEnds.SliceSpent, restartReason, startedAt),
            SliceResult.Finished f => Slice(m, number, f.From, f.At, SliceEnds.Finished, restartReason, startedAt),
            _ => new SliceRecord(m.CheckId, number, m.StorageRecordId, 0, 0, null, null, algorithms, null, SliceEnds.Missing, restartReason, Host, startedAt, clock.GetUtcNow()),
        };
        if (!await slices.TryAddAsync(record, CancellationToken.None))
        {
            logger.LogWarning("Fixity check {CheckId}: slice {Slice} was recorded by another delivery of this step; this one stops", m.CheckId, number);
            return;
        }

        if (result is SliceResult.Paused paused)
        {
            logger.LogInformation("Fixity check {CheckId}: slice {Slice} {Ended} at byte {Offset} of {Size} after {Seconds:F1} s; continuing in a new message",
                m.CheckId, number, record.Ended, paused.At.Offset, paused.At.Version.Size, slice.Elapsed.TotalSeconds);
            await ContinueAsync(context, number);
            return;
        }

        var digest = (result as SliceResult.Finished)?.Digest;
        var condition = DigestComparison.Condition(copy.IngestDigests, digest);
        await registry.RecordCheckAsync(new CheckRecord(
            FixityIds.ForRecord(m.CheckId, "check", copy.StorageRecordId), copy, condition == CopyConditions.Intact,
            $"fixity check of {copy.Bucket}/{copy.Key}: {DigestComparison.Describe(copy.IngestDigests, digest)}",
            condition, clock.GetUtcNow()), ct);
        logger.LogInformation("Fixity check {CheckId}: {Bucket}/{Key} is {Condition} (read in {Slices} slice(s))", m.CheckId, copy.Bucket, copy.Key, condition, number);
        await context.Publish(new CopyVerified(m.CheckId, m.StorageRecordId, copy.FileIdentifier, copy.Bucket, copy.Key, condition,
            copy.IngestDigests, digest?.Digests ?? new Dictionary<string, string>()));
    }

    /// <summary>Sends this step the same message; CancellationToken.None: a continuation sent while the host stops must still reach the broker.</summary>
    private static async Task ContinueAsync(ConsumeContext<VerifyCopy> context, int afterSlice)
    {
        var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
        await endpoint.Send(context.Message, Pipe.Execute<SendContext<VerifyCopy>>(s => s.Headers.Set(ContinuationHeader, afterSlice)), CancellationToken.None);
    }

    /// <summary>The checkpoint to continue from, or null and why not (a refused checkpoint means starting over, never a wrong verdict).</summary>
    private (DigestCheckpoint? From, string? RestartReason) Resume(Guid checkId, SliceRecord? last)
    {
        if (last is not { HashStates: { } states, ETag: { } etag, Size: { } size }) return (null, null);
        var algorithms = options.Value.AlgorithmList;
        string reason;
        if (!last.Algorithms.SequenceEqual(algorithms) || states.Count != last.Algorithms.Count)
            reason = $"algorithms changed from {string.Join(",", last.Algorithms)} to {string.Join(",", algorithms)}";
        else
        {
            try
            {
                var hashes = states.Select((s, i) => ResumableHash.Restore(s, last.Algorithms[i])).ToList();
                if (hashes.All(h => h.BytesHashed == last.ToOffset))
                    return (new DigestCheckpoint(last.ToOffset, new CopyVersion(etag, size), hashes), null);
                reason = $"checkpoint refused: its hash states do not cover bytes 0-{last.ToOffset}";
            }
            catch (HashStateException e)
            {
                reason = "checkpoint refused: " + e.Message;
            }
        }
        logger.LogWarning("Fixity check {CheckId}: {Reason}; reading the copy again from the start", checkId, reason);
        return (null, reason);
    }

    private SliceRecord Slice(VerifyCopy m, int number, long from, DigestCheckpoint at, string ended, string? restartReason, DateTimeOffset startedAt) =>
        new(m.CheckId, number, m.StorageRecordId, from, at.Offset, at.Version.ETag, at.Version.Size,
            at.Hashes.Select(h => h.Algorithm).ToList(), at.Hashes.Select(h => h.SaveState()).ToList(),
            ended, restartReason, Host, startedAt, clock.GetUtcNow());
}
