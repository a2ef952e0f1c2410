using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Hashing;
using Bus.Restore.Data;
using Bus.Workflows.Copies;
using Bus.Workflows.Steps;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Restore.Steps;

/// <summary>What one message's share of writing a restore came to.</summary>
public abstract record WriteOutcome
{
    private WriteOutcome() { }
    public sealed record Done(long Size, int Slices) : WriteOutcome;
    public sealed record Paused(long At, long Total) : WriteOutcome;
    /// <summary>Another delivery of the step saved progress first: it carries on, this one stops.</summary>
    public sealed record Superseded : WriteOutcome;
    /// <summary>No copy of some file matches the registry: the upload was aborted.</summary>
    public sealed record Failed(string Reason) : WriteOutcome;
    /// <summary>
    /// The next copy to read is cold and not restored (its restore was asked for): the checkpoint stands at the part
    /// holding the file's first byte, and the saga polls on the scheduler before writing on.
    /// </summary>
    public sealed record WaitingForCopy(string Detail) : WriteOutcome;
}

/// <summary>
/// Streams a restore's planned entries into one multipart upload, computing each file's sha256 as its bytes pass
/// and comparing it with the registry's when the file ends. A file whose copy does not match (or is missing, or
/// cold and not restored) is read again from its next copy: the copy is remembered as bad, a fixity alert is
/// raised, and writing goes back to the part that holds the file's first byte, so every part that held bytes of
/// the bad copy is sent again (S3 keeps the last upload of a part number). The upload is completed only when the
/// whole output was produced from copies that matched, so no unverified byte is ever delivered. When the next copy
/// is cold and not restored (a Standard object's GLACIER copy behind a damaged hot one) its restore is asked for
/// and the message ends <see cref="WriteOutcome.WaitingForCopy"/>, the checkpoint rewound the same way.
/// Reading the next part overlaps with uploading the parts before it: up to <see cref="RestoreOptions.UploadsInFlight"/>
/// uploads run at once, each from its own part buffer, so memory stays at (UploadsInFlight + 1) part buffers; parts are
/// committed in order. After each uploaded part the checkpoint
/// (<see cref="UploadCheckpoint"/>) is saved; a spent time slice or a stopping host ends the message there, and
/// any process resumes from it: a part boundary inside a file restores that file's sha256 state and continues with
/// a ranged GET; a rewind that lands inside an earlier file re-reads that file from its first byte, hashing again.
/// </summary>
public sealed class RestoreWriter(IAmazonS3 s3, S3Resilience resilience, RestorePlans plans, RestoreRegistry registry, CopyTemperature temperature,
    IOptions<RestoreOptions> options, ILogger<RestoreWriter> logger)
{
    private CopyTemperature Temperature => temperature;
    private RestoreOptions Options => options.Value;
    private IAmazonS3 S3 => s3;
    private S3Resilience Resilience => resilience;
    private RestorePlans Plans => plans;
    private RestoreRegistry Registry => registry;
    private ILogger Logger => logger;

    /// <summary>S3 allows 10,000 parts; a margin keeps the last one safe.</summary>
    public const int MaxParts = 9_000;

    public static long PartBytesFor(long total, long configured)
    {
        const long MiB = 1024 * 1024;
        var needed = (total + MaxParts - 1) / MaxParts;
        return Math.Max(configured, (needed + MiB - 1) / MiB * MiB);
    }

    public async Task<WriteOutcome> WriteAsync(RestoreJob request, IReadOnlyList<PlannedFile> plan, TarLayout layout, string bucket, string key,
        long configuredPartBytes, Func<bool> shouldYield, CancellationToken ct)
    {
        var id = request.RestoreId;
        var cp = await plans.CheckpointAsync(id, ct);
        if (cp?.CompletedAt is not null) return new WriteOutcome.Done(cp.TotalBytes, cp.Slices);
        if (layout.Total == 0)
        {
            // Nothing to stream (an empty file): S3 completes no multipart upload without a part.
            await resilience.RunAsync(async c => await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream() }, c), ct);
            return new WriteOutcome.Done(0, 1);
        }

        if (cp is null || !await MultipartUploads.ExistsAsync(s3, resilience, cp.Bucket, cp.Key, cp.UploadId, ct))
        {
            var partBytes = PartBytesFor(layout.Total, configuredPartBytes);
            var created = await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, c), ct);
            var fresh = new UploadCheckpoint(id, bucket, key, created.UploadId, partBytes, layout.Total, 0, [], null, null, null, cp?.BadCopies ?? [], 0, 0, null);
            if (cp is not null) logger.LogWarning("Restore {RestoreId}: upload {UploadId} is gone; starting the output again from byte 0", id, cp.UploadId);
            if (!await plans.StartAsync(fresh, cp?.Version, ct))
            {
                await MultipartUploads.AbortAsync(s3, bucket, key, created.UploadId);
                return new WriteOutcome.Superseded();
            }
            cp = await plans.CheckpointAsync(id, ct) ?? throw new InvalidOperationException($"restore {id}: checkpoint vanished");
        }
        return await new Run(this, request, plan, layout, cp, shouldYield, ct).ExecuteAsync();
    }

    /// <summary>Aborts the upload of a restore that ended without completing it (none, or completed: nothing to do).</summary>
    public async Task AbandonAsync(Guid restoreId, CancellationToken ct)
    {
        var cp = await plans.CheckpointAsync(restoreId, ct);
        if (cp is null || cp.CompletedAt is not null) return;
        await MultipartUploads.AbortAsync(s3, cp.Bucket, cp.Key, cp.UploadId);
        await plans.ForgetUploadAsync(restoreId, CancellationToken.None);
        logger.LogWarning("Restore {RestoreId} failed with upload {UploadId} open: aborted, nothing is left in {Bucket}", restoreId, cp.UploadId, cp.Bucket);
    }

    private sealed class Run(RestoreWriter w, RestoreJob request, IReadOnlyList<PlannedFile> plan, TarLayout layout, UploadCheckpoint cp, Func<bool> shouldYield, CancellationToken ct)
    {
        private readonly List<UploadedPart> _parts = cp.Parts.ToList();
        private readonly List<long> _bad = cp.BadCopies.ToList();
        private int _version = cp.Version;
        private Cursor? _cursor;
        private (int Index, byte[] Bytes)? _header;
        // The checkpoint's hash state is good for exactly one position, and only until something is rejected.
        private (int Seq, long At, byte[] State)? _resume = cp is { ResumeSeq: { } s, ResumeAt: { } a, HashState: { } h } ? (s, a, h) : null;

        public async Task<WriteOutcome> ExecuteAsync()
        {
            var partBytes = cp.PartBytes;
            var inFlight = Math.Max(1, w.Options.UploadsInFlight);
            // One buffer per upload in flight plus the one being filled: part k fills buffer k % (inFlight + 1), free
            // because part k - inFlight - 1 was committed before part k - 1's upload started.
            var buffers = new byte[inFlight + 1][];
            var next = cp.NextOffset;
            var pending = new Queue<Pending>();
            var uploaded = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                while (next < layout.Total)
                {
                    if (uploaded > 0 && shouldYield())
                    {
                        if (!await CommitAllAsync(pending, lastIsNewSlice: true)) return new WriteOutcome.Superseded();
                        return new WriteOutcome.Paused(next, layout.Total);
                    }
                    var length = (int)Math.Min(partBytes, layout.Total - next);
                    var buffer = buffers[uploaded % buffers.Length] ??= new byte[Math.Min(partBytes, layout.Total)];
                    var filling = clock.Elapsed;
                    try
                    {
                        await FillAsync(buffer, next, length);
                    }
                    catch (CopyRejectedException rejected)
                    {
                        if (!await CommitAllAsync(pending, lastIsNewSlice: false)) return new WriteOutcome.Superseded();
                        switch (await RejectAsync(rejected, partBytes))
                        {
                            case WriteOutcome outcome: return outcome;
                            case long rewindTo: next = rewindTo; continue;
                        }
                    }
                    catch (CopyNotReadyException cold)
                    {
                        if (!await CommitAllAsync(pending, lastIsNewSlice: false)) return new WriteOutcome.Superseded();
                        return await WaitForCopyAsync(cold, partBytes);
                    }
                    _reading += clock.Elapsed - filling;
                    var snapshot = Snapshot(next + length);
                    // Parts are committed in order, so the checkpoint only ever names a prefix of the output that S3 holds.
                    while (pending.Count >= inFlight)
                        if (!await CommitAsync(pending.Dequeue(), newSlice: false)) return new WriteOutcome.Superseded();
                    pending.Enqueue(Upload(buffer, (int)(next / partBytes) + 1, length, snapshot));
                    uploaded++;
                    next += length;
                }
                if (!await CommitAllAsync(pending, lastIsNewSlice: false)) return new WriteOutcome.Superseded();
                return await CompleteAsync();
            }
            finally
            {
                while (pending.TryDequeue(out var left)) { try { await left.Task; } catch (Exception) { /* the step fails or stops anyway */ } }
                _cursor?.Dispose();
                w.Logger.LogInformation(
                    "Restore {RestoreId}: {Parts} part(s) of {PartBytes} bytes in {Seconds:F1} s: reading and hashing {Reading:F1} s, waiting for uploads {Uploading:F1} s, checkpoints {Saving:F1} s ({InFlight} upload(s) in flight)",
                    cp.RestoreId, uploaded, partBytes, clock.Elapsed.TotalSeconds, _reading.TotalSeconds, _waiting.TotalSeconds, _saving.TotalSeconds, inFlight);
            }
        }

        private TimeSpan _reading, _waiting, _saving;

        /// <summary>Commits every pending part in order; the last one counts as the end of a slice when <paramref name="lastIsNewSlice"/>.</summary>
        private async Task<bool> CommitAllAsync(Queue<Pending> pending, bool lastIsNewSlice)
        {
            while (pending.TryDequeue(out var p))
                if (!await CommitAsync(p, newSlice: lastIsNewSlice && pending.Count == 0)) return false;
            return true;
        }

        private async Task<WriteOutcome> CompleteAsync()
        {
            var expected = (int)((layout.Total + cp.PartBytes - 1) / cp.PartBytes);
            var parts = _parts.OrderBy(p => p.Number).ToList();
            if (parts.Count != expected || parts.Sum(p => p.Size) != layout.Total || parts.Select(p => p.Number).Distinct().Count() != expected)
                throw new InvalidOperationException($"restore {cp.RestoreId}: the checkpoint holds {parts.Count} parts of {parts.Sum(p => p.Size)} bytes, expected {expected} of {layout.Total}");
            await w.Resilience.RunAsync(async c => await w.S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = cp.Bucket, Key = cp.Key, UploadId = cp.UploadId,
                PartETags = parts.Select(p => new PartETag(p.Number, p.ETag)).ToList(),
            }, c), ct);
            if (!await w.Plans.SaveAsync(cp.RestoreId, _version, layout.Total, parts, null, null, null, _bad, newSlice: true, DateTimeOffset.UtcNow, CancellationToken.None))
                return new WriteOutcome.Superseded();
            return new WriteOutcome.Done(layout.Total, cp.Slices + 1);
        }

        /// <summary>Marks the copy bad (alerting when it is damaged or missing) and answers where to write from again, or the failure.</summary>
        private async Task<object> RejectAsync(CopyRejectedException r, long partBytes)
        {
            _cursor?.Dispose();
            _cursor = null;
            _resume = null;
            var file = plan[r.Entry.Index];
            if (r.Copy is null)
            {
                await MultipartUploads.AbortAsync(w.S3, cp.Bucket, cp.Key, cp.UploadId);
                await w.Plans.ForgetUploadAsync(cp.RestoreId, CancellationToken.None);
                var reason = $"no copy of '{file.Path}' can be restored: {r.Message}";
                w.Logger.LogError("Restore {RestoreId}: {Reason}; the upload was aborted", cp.RestoreId, reason);
                return new WriteOutcome.Failed(reason);
            }
            _bad.Add(r.Copy.StorageRecordId);
            w.Logger.LogWarning("Restore {RestoreId}: copy {Bucket}/{Key} of '{Path}' rejected ({Reason}); reading its next copy", cp.RestoreId, r.Copy.Bucket, r.Copy.Key, file.Path, r.Message);
            if (r.Alert && file.FileId is { } fileId)
                await w.Registry.RaiseAlertAsync(RestoreIds.ForAlert(cp.RestoreId, r.Copy.StorageRecordId), null, fileId, $"{request.ObjectIdentifier}/{file.Path}",
                    $"restore {cp.RestoreId}: copy {r.Copy.Bucket}/{r.Copy.Key} (storage record {r.Copy.StorageRecordId}) {r.Message}; the restore used another copy", CancellationToken.None);
            return await RewindAsync(r.Entry, partBytes) is { } rewindTo ? rewindTo : new WriteOutcome.Superseded();
        }

        /// <summary>
        /// The copy to read next is cold: asks S3 to restore it (unless a restore runs already), rewinds the checkpoint
        /// to the part holding the file's first byte (so no part holding bytes of a rejected copy stays in the upload)
        /// and ends the message; the saga polls and sends the write again.
        /// </summary>
        private async Task<WriteOutcome> WaitForCopyAsync(CopyNotReadyException n, long partBytes)
        {
            _cursor?.Dispose();
            _cursor = null;
            _resume = null;
            var file = plan[n.Entry.Index];
            var o = w.Options;
            var readiness = await w.Temperature.ReadinessAsync(n.Copy.Bucket, n.Copy.Key, ct);
            if (readiness == CopyReadiness.Cold) await w.Temperature.RequestRestoreAsync(n.Copy.Bucket, n.Copy.Key, o.Tier, o.Days, ct);
            if (await RewindAsync(n.Entry, partBytes) is null) return new WriteOutcome.Superseded();
            var detail = $"'{file.Path}' waits for its cold copy {n.Copy.Bucket}/{n.Copy.Key} to be restored ({readiness})";
            w.Logger.LogInformation("Restore {RestoreId}: {Detail}; writing goes on from byte {At} once it is readable", cp.RestoreId, detail, n.Entry.HeaderOffset / partBytes * partBytes);
            return new WriteOutcome.WaitingForCopy(detail);
        }

        /// <summary>Forgets every part from the one holding <paramref name="entry"/>'s first byte on; null when superseded.</summary>
        private async Task<long?> RewindAsync(LaidOutEntry entry, long partBytes)
        {
            var rewindPart = entry.HeaderOffset / partBytes;
            _parts.RemoveAll(p => p.Number > rewindPart);
            var rewindTo = rewindPart * partBytes;
            if (!await w.Plans.SaveAsync(cp.RestoreId, _version, rewindTo, _parts, null, null, null, _bad, newSlice: false, null, CancellationToken.None))
                return null;
            _version++;
            return rewindTo;
        }

        private sealed record Snap(long Next, int? Seq, long? At, byte[]? State);

        private sealed record Pending(Task<string> Task, int Number, int Size, Snap Snapshot);

        private Snap Snapshot(long next) =>
            _cursor is { } c && c.Position > 0 && c.Position < layout.Entries[c.Index].Size
                ? new Snap(next, c.Index, c.Position, c.Hash.SaveState())
                : new Snap(next, null, null, null);

        /// <summary>
        /// Uploads one part from its buffer. Not chunk-encoded: the part is whole in memory and seekable, so the SDK
        /// hashes it in place for the SigV4 payload hash and the CRC32 checksum header, both checked by S3 as before,
        /// instead of re-framing it through its chunked-signing stream, which allocates two 80 KiB buffers per request
        /// and garbage per 80 KiB chunk (docs/benchmarks.md, restore-large). The signing pass runs on the thread pool,
        /// so it overlaps the reading of the next part as the chunked send did.
        /// </summary>
        private Pending Upload(byte[] buffer, int number, int size, Snap snapshot)
        {
            var task = Task.Run(async () => await w.Resilience.RunAsync(async c => (await w.S3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = cp.Bucket, Key = cp.Key, UploadId = cp.UploadId, PartNumber = number, PartSize = size,
                InputStream = new MemoryStream(buffer, 0, size, writable: false),
                UseChunkEncoding = false,
            }, c)).ETag, ct), ct);
            return new Pending(task, number, size, snapshot);
        }

        private async Task<bool> CommitAsync(Pending pending, bool newSlice)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            var etag = await pending.Task;
            _waiting += waited.Elapsed;
            _parts.RemoveAll(p => p.Number == pending.Number);
            _parts.Add(new UploadedPart(pending.Number, etag, pending.Size));
            var s = pending.Snapshot;
            var saving = System.Diagnostics.Stopwatch.StartNew();
            var saved = await w.Plans.SaveAsync(cp.RestoreId, _version, s.Next, _parts, s.Seq, s.At, s.State, _bad, newSlice, null, CancellationToken.None);
            _saving += saving.Elapsed;
            if (!saved)
            {
                w.Logger.LogWarning("Restore {RestoreId}: another delivery saved progress first; this one stops", cp.RestoreId);
                return false;
            }
            _version++;
            return true;
        }

        /// <summary>Produces output bytes [<paramref name="from"/>, from + length) into <paramref name="buffer"/>.</summary>
        private async Task FillAsync(byte[] buffer, long from, int length)
        {
            var pos = from;
            var filled = 0;
            while (filled < length)
            {
                var e = layout.EntryAt(pos);
                if (e is null)
                {
                    // The two zero blocks that end a tar.
                    var zeros = (int)Math.Min(length - filled, layout.Total - pos);
                    buffer.AsSpan(filled, zeros).Clear();
                    filled += zeros;
                    pos += zeros;
                    continue;
                }
                if (pos < e.DataOffset)
                {
                    if (_header?.Index != e.Index) _header = (e.Index, layout.Header(e.Index));
                    var n = (int)Math.Min(length - filled, e.DataOffset - pos);
                    _header.Value.Bytes.AsSpan((int)(pos - e.HeaderOffset), n).CopyTo(buffer.AsSpan(filled));
                    filled += n;
                    pos += n;
                    continue;
                }
                var dataEnd = e.DataOffset + e.Size;
                if (pos < dataEnd)
                {
                    var cursor = await CursorAsync(e, pos - e.DataOffset);
                    var want = (int)Math.Min(length - filled, dataEnd - pos);
                    var n = await cursor.Body.ReadAsync(buffer.AsMemory(filled, want), ct);
                    if (n == 0) throw Rejected(e, cursor.Copy, $"ended at byte {cursor.Position} of {e.Size}", alert: true);
                    cursor.Hash.Append(buffer.AsSpan(filled, n));
                    cursor.Position += n;
                    filled += n;
                    pos += n;
                    if (cursor.Position == e.Size) Verify(e, cursor);
                    continue;
                }
                var pad = (int)Math.Min(length - filled, e.End - pos);
                buffer.AsSpan(filled, pad).Clear();
                filled += pad;
                pos += pad;
            }
        }

        private void Verify(LaidOutEntry e, Cursor cursor)
        {
            var actual = cursor.Hash.FinishHex();
            var expected = plan[e.Index].Sha256;
            _cursor = null;
            cursor.Dispose();
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw Rejected(e, cursor.Copy, $"has sha256 {actual}, the registry {expected}", alert: true);
        }

        /// <summary>The open read of entry <paramref name="e"/> at <paramref name="position"/>, hashed up to there.</summary>
        private async Task<Cursor> CursorAsync(LaidOutEntry e, long position)
        {
            if (_cursor is { } open && open.Index == e.Index && open.Position == position) return open;
            _cursor?.Dispose();
            _cursor = null;
            var file = plan[e.Index];
            var copy = file.Candidates.FirstOrDefault(c => !_bad.Contains(c.StorageRecordId))
                ?? throw new CopyRejectedException(e, null, $"every copy ({file.Candidates.Count}) was rejected", alert: false);
            ResumableHash? hash = null;
            if (position > 0 && _resume is { } r && r.Seq == e.Index && r.At == position)
            {
                try
                {
                    hash = ResumableHash.Restore(r.State, "sha256");
                    if (hash.BytesHashed != position) hash = null;
                }
                catch (HashStateException ex)
                {
                    w.Logger.LogWarning("Restore {RestoreId}: checkpoint hash state refused ({Reason}); re-reading '{Path}' from its first byte", cp.RestoreId, ex.Message, file.Path);
                }
            }
            var start = hash is null ? 0 : position;
            var body = await OpenAsync(e, copy, start);
            var cursor = new Cursor(e.Index, copy, body, hash ?? ResumableHash.Create("sha256")) { Position = start };
            _cursor = cursor;
            if (start < position) await SkipAsync(e, cursor, position);
            return cursor;
        }

        /// <summary>Reads and hashes, without writing, up to <paramref name="position"/>: a rewind landed inside this file.</summary>
        private async Task SkipAsync(LaidOutEntry e, Cursor cursor, long position)
        {
            var scratch = new byte[1024 * 1024];
            while (cursor.Position < position)
            {
                var n = await cursor.Body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, position - cursor.Position)), ct);
                if (n == 0) throw Rejected(e, cursor.Copy, $"ended at byte {cursor.Position} of {e.Size}", alert: true);
                cursor.Hash.Append(scratch.AsSpan(0, n));
                cursor.Position += n;
            }
        }

        private async Task<Stream> OpenAsync(LaidOutEntry e, PlannedCopy copy, long start)
        {
            var get = new GetObjectRequest { BucketName = copy.Bucket, Key = copy.Key };
            if (start > 0) get.ByteRange = new ByteRange(start, e.Size - 1);
            try
            {
                var response = await w.Resilience.RunAsync(async c => await w.S3.GetObjectAsync(get, c), ct);
                return new GetObjectBodyStream(response);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                throw Rejected(e, copy, "is missing", alert: true);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "InvalidObjectState")
            {
                // Cold and not restored (never, or no longer): not damaged, so no alert; the restore waits for it.
                throw new CopyNotReadyException(e, copy);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                throw Rejected(e, copy, $"is shorter than the registry's {e.Size} bytes", alert: true);
            }
        }

        private static CopyRejectedException Rejected(LaidOutEntry e, PlannedCopy? copy, string reason, bool alert) => new(e, copy, reason, alert);
    }

    private sealed class Cursor(int index, PlannedCopy? copy, Stream body, ResumableHash hash) : IDisposable
    {
        public int Index { get; } = index;
        public PlannedCopy? Copy { get; } = copy;
        public Stream Body { get; } = body;
        public ResumableHash Hash { get; } = hash;
        public long Position { get; set; }
        public void Dispose() => Body.Dispose();
    }
}

/// <summary>The copy to read next is in a cold storage class and not restored: the restore must wait for it.</summary>
public sealed class CopyNotReadyException(LaidOutEntry entry, PlannedCopy copy) : Exception($"copy {copy.Bucket}/{copy.Key} is cold and not restored")
{
    public LaidOutEntry Entry { get; } = entry;
    public PlannedCopy Copy { get; } = copy;
}

/// <summary>A copy cannot give a planned file's bytes (damaged, missing, shorter); <see cref="Copy"/> null: no copy is left.</summary>
public sealed class CopyRejectedException(LaidOutEntry entry, PlannedCopy? copy, string reason, bool alert) : Exception(reason)
{
    public LaidOutEntry Entry { get; } = entry;
    public PlannedCopy? Copy { get; } = copy;
    public bool Alert { get; } = alert;
}
