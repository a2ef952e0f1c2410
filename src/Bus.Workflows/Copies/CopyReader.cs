using System.Buffers;
using Bus.Hashing;

namespace Bus.Workflows.Copies;

/// <summary>
/// Streams a copy and computes every configured digest with bounded memory (two read buffers).
/// Reading the next block overlaps with hashing the previous one, so a check runs at about the speed
/// of a plain GET whenever hashing is faster than the network (the fixity-check benchmark). A read can
/// stop between blocks and continue later, in another process, from a <see cref="DigestCheckpoint"/>:
/// the hashes are <see cref="ResumableHash"/>es and the read is pinned to the version it began on.
/// Workflow-neutral: which algorithms and how big a block are the caller's (fixity's options, ingest's
/// sha256), and what the digests are compared with too.
/// </summary>
public sealed class CopyReader(ICopyStorage storage)
{
    /// <summary>1 MiB: big enough that hashing and the GET overlap well, small enough that a slice stops promptly.</summary>
    public const int DefaultBlockBytes = 1024 * 1024;

    /// <summary>
    /// The digests of the whole copy in one go, or null when the object is missing: for copies small enough
    /// to read inside one message, and the benchmark; long reads go through <see cref="SlicedCopyReader"/> so
    /// no message outlasts its time slice.
    /// </summary>
    public async Task<CopyDigest?> DigestAsync(string bucket, string key, IReadOnlyList<string> algorithms, int blockBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (await ReadSliceAsync(bucket, key, null, algorithms, blockBytes, () => false, cancellationToken))
            {
                case SliceResult.Missing: return null;
                case SliceResult.Finished f: return f.Digest;
                // Replaced while being read: read the new version from the start.
            }
        }
    }

    /// <summary>
    /// Reads from <paramref name="from"/> (null: the start of the current version) until the end or until
    /// <paramref name="shouldStop"/> says so, asked after each block (at least one block is read per slice,
    /// so a slice always makes progress). <paramref name="algorithms"/> apply to a read from the start; a
    /// checkpoint carries its own.
    /// </summary>
    public async Task<SliceResult> ReadSliceAsync(string bucket, string key, DigestCheckpoint? from, IReadOnlyList<string> algorithms, int blockBytes,
        Func<bool> shouldStop, CancellationToken cancellationToken)
    {
        var hashes = from?.Hashes ?? algorithms.Select(ResumableHash.Create).ToList();
        var start = from?.Offset ?? 0;
        CopyRead? read;
        try
        {
            read = await storage.OpenReadAsync(bucket, key, start, from?.Version, cancellationToken);
        }
        catch (CopyChangedException e)
        {
            return new SliceResult.Changed(e.Message);
        }
        if (read is null) return new SliceResult.Missing();
        await using var _ = read;
        var bufferSize = blockBytes;
        var current = ArrayPool<byte>.Shared.Rent(bufferSize);
        var next = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            var offset = start;
            var size = read.Version.Size;
            var length = await FillAsync(read.Body, current, bufferSize, cancellationToken);
            while (length > 0)
            {
                var block = current;
                var n = length;
                var hashing = Task.Run(() => { foreach (var hash in hashes) hash.Append(block.AsSpan(0, n)); }, cancellationToken);
                var stop = offset + n < size && shouldStop();
                length = stop ? 0 : await FillAsync(read.Body, next, bufferSize, cancellationToken);
                await hashing;
                offset += n;
                (current, next) = (next, current);
                if (stop) return new SliceResult.Paused(start, new DigestCheckpoint(offset, read.Version, hashes), offset - start);
            }
            if (offset != size) throw new IOException($"{bucket}/{key}: the read ended at byte {offset} of {size}");
            return new SliceResult.Finished(start, new DigestCheckpoint(offset, read.Version, hashes), offset - start);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>The digests of a whole stream (no checkpoints): a helper for callers that hold the bytes already.</summary>
    public static async Task<CopyDigest> DigestAsync(Stream stream, IReadOnlyList<string> algorithms, int bufferSize, CancellationToken cancellationToken)
    {
        var hashes = algorithms.Select(ResumableHash.Create).ToList();
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long size = 0;
            int n;
            while ((n = await FillAsync(stream, buffer, bufferSize, cancellationToken)) > 0)
            {
                foreach (var hash in hashes) hash.Append(buffer.AsSpan(0, n));
                size += n;
            }
            return new CopyDigest(hashes.ToDictionary(h => h.Algorithm, h => h.FinishHex()), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until the buffer is full or the stream ends: network streams return short reads, hashing big blocks is cheaper.</summary>
    private static async Task<int> FillAsync(Stream stream, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken);
            if (n == 0) break;
            filled += n;
        }
        return filled;
    }
}
