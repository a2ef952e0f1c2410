using Bus.Hashing;
using Bus.Workflows.Copies.Data;
using Microsoft.Extensions.Logging;

namespace Bus.Workflows.Copies;

/// <summary>What one message's share of a sliced read of a copy came to.</summary>
public abstract record SlicedRead
{
    private SlicedRead() { }

    /// <summary>Read to the end (<see cref="Digest"/>) or found missing (null) after <see cref="Slices"/> slice(s).</summary>
    public sealed record Done(CopyDigest? Digest, int Slices) : SlicedRead;

    /// <summary>The slice is spent or the host stops: the checkpoint is recorded, the caller sends its continuation and acknowledges.</summary>
    public sealed record Paused(int Slice, CopyReadSlice Record) : SlicedRead;

    /// <summary>Another delivery of the same step recorded this slice first: that one carries on, this one stops without sending or recording.</summary>
    public sealed record Superseded(int Slice) : SlicedRead;
}

/// <summary>What a sliced read computes and how: the algorithms of a read from byte 0, the block size, and how often
/// one slice may start over because the object was replaced while it was read.</summary>
public sealed record CopyReadSettings(IReadOnlyList<string> Algorithms, int BlockBytes, int MaxRestartsPerSlice);

/// <summary>
/// Reads a copy in time slices under a read id (a fixity check's verify read or one of its repair's reads, an
/// ingest's verify of one large copy), each slice checkpointed in the one store (<see cref="ICopyReadSlices"/>)
/// so that any process continues where the last one stopped, after a spent slice or a host killed or stopped.
/// Workflow-neutral: it hashes what it reads and hands back the digests; comparing them with what the registry
/// or the bag expects is the caller's (fixity compares every algorithm, ingest and restore sha256).
/// </summary>
public sealed class SlicedCopyReader(CopyReader reader, ICopyReadSlices slices, TimeProvider clock, ILogger<SlicedCopyReader> logger)
{
    private static readonly string Host = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Continues the read <paramref name="readId"/> of <paramref name="copy"/> from its newest checkpoint until the
    /// end or until <paramref name="shouldYield"/> says to yield (asked after each block; a slice that yields while
    /// <paramref name="isStopping"/> is recorded as ended by the host stopping). With <paramref name="reuseDone"/> a
    /// read whose last slice finished (or found the copy missing) is answered from that slice without touching S3:
    /// a repair resumed for a later phase does not read its earlier candidates again. <paramref name="name"/> names
    /// the read in logs ("Fixity check &lt;id&gt;", "Fixity check &lt;id&gt; repair source 2").
    /// </summary>
    public async Task<SlicedRead> ReadAsync(Guid readId, Guid workflowId, string name, CopyObjectRef copy, CopyReadSettings settings,
        Func<bool> shouldYield, Func<bool> isStopping, bool reuseDone, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        var last = await slices.LatestAsync(readId, ct);
        if (reuseDone && last is { Ended: SliceEnds.Missing })
            return new SlicedRead.Done(null, last.Slice);
        var number = (last?.Slice ?? 0) + 1;
        var (from, restartReason) = Resume(name, last, settings.Algorithms);
        if (reuseDone && from is not null && last is { Ended: SliceEnds.Finished })
            return new SlicedRead.Done(from.Digest, last.Slice);
        logger.LogInformation("{Read}: reading {Bucket}/{Key} from byte {Offset} (slice {Slice})", name, copy.Bucket, copy.Key, from?.Offset ?? 0, number);

        SliceResult result;
        for (var restarts = 0; ; restarts++)
        {
            result = await reader.ReadSliceAsync(copy.Bucket, copy.Key, from, settings.Algorithms, settings.BlockBytes, shouldYield, ct);
            if (result is not SliceResult.Changed changed) break;
            // Never mix bytes of two versions: the read starts over on the version there is now.
            if (restarts >= settings.MaxRestartsPerSlice)
                throw new CopyChangedException($"{copy.Bucket}/{copy.Key} was replaced {restarts + 1} times while {name} read it: {changed.Reason}");
            logger.LogWarning("{Read}: {Reason}; reading it again from the start", name, changed.Reason);
            restartReason = "object replaced: " + changed.Reason;
            from = null;
        }

        var record = result switch
        {
            SliceResult.Paused p => Slice(readId, workflowId, number, p.From, p.At, isStopping() ? SliceEnds.HostStopping : SliceEnds.SliceSpent, restartReason, startedAt),
            SliceResult.Finished f => Slice(readId, workflowId, number, f.From, f.At, SliceEnds.Finished, restartReason, startedAt),
            _ => new CopyReadSlice(readId, number, workflowId, 0, 0, null, null, settings.Algorithms, null, SliceEnds.Missing, restartReason, Host, startedAt, clock.GetUtcNow()),
        };
        if (!await slices.TryAddAsync(record, CancellationToken.None))
        {
            logger.LogWarning("{Read}: slice {Slice} was recorded by another delivery of this step; this one stops", name, number);
            return new SlicedRead.Superseded(number);
        }
        if (result is SliceResult.Paused paused)
        {
            logger.LogInformation("{Read}: slice {Slice} {Ended} at byte {Offset} of {Size} after {Seconds:F1} s; continuing in a new message",
                name, number, record.Ended, paused.At.Offset, paused.At.Version.Size, (clock.GetUtcNow() - startedAt).TotalSeconds);
            return new SlicedRead.Paused(number, record);
        }
        return new SlicedRead.Done((result as SliceResult.Finished)?.Digest, number);
    }

    /// <summary>The checkpoint to continue from, or null and why not (a refused checkpoint means starting over, never a wrong verdict).</summary>
    private (DigestCheckpoint? From, string? RestartReason) Resume(string name, CopyReadSlice? last, IReadOnlyList<string> algorithms)
    {
        if (last is not { HashStates: { } states, ETag: { } etag, Size: { } size }) return (null, null);
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
        logger.LogWarning("{Read}: {Reason}; reading the copy again from the start", name, reason);
        return (null, reason);
    }

    private CopyReadSlice Slice(Guid readId, Guid workflowId, int number, long from, DigestCheckpoint at, string ended, string? restartReason, DateTimeOffset startedAt) =>
        new(readId, number, workflowId, from, at.Offset, at.Version.ETag, at.Version.Size,
            at.Hashes.Select(h => h.Algorithm).ToList(), at.Hashes.Select(h => h.SaveState()).ToList(),
            ended, restartReason, Host, startedAt, clock.GetUtcNow());
}
