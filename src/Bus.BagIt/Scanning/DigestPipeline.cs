using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Bus.BagIt.Scanning;

/// <summary>
/// Computes md5, sha1, sha256 and sha512 of one large file at a time in a single pass. The four
/// digests cost about 4.4 CPU-s/GiB (GUIDE §2; md5 alone 1.6), so each algorithm has its own lane,
/// fed the same pooled 1 MiB chunks while the caller reads the next one: the two cores stay busy
/// whatever the mix, as with four openssl processes behind a tee. Lanes are dedicated threads, not
/// thread-pool work, so seconds of hashing never starve a host's consumers on the pool. At most
/// <see cref="MaxChunksInFlight"/> chunks are queued. (Small files go to <see cref="SmallFileBatch"/>.)
/// </summary>
internal sealed class DigestPipeline : IDisposable
{
    public const int ChunkSize = 1 << 20;
    private const int MaxChunksInFlight = 8;
    private const int InlineLimit = 128 * 1024;

    // IncrementalHash is OpenSSL on Linux. The lanes are ordered (each continuation waits for the
    // previous one of its lane) and finish before the next file starts, so one set of hash states
    // is reused for every file of the bag.
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
    private readonly SemaphoreSlim _slots = new(MaxChunksInFlight);
    private Lane[]? _lanes;
    private bool _dispatched;

    public static byte[] RentChunk() => ArrayPool<byte>.Shared.Rent(ChunkSize);

    /// <summary>
    /// Hashes <paramref name="length"/> bytes of <paramref name="chunk"/> (rented with
    /// <see cref="RentChunk"/>) and takes ownership of it: it goes back to the pool once hashed.
    /// </summary>
    public async ValueTask AppendAsync(byte[] chunk, int length, bool lastOfFile, CancellationToken cancellationToken)
    {
        if (lastOfFile && !_dispatched && length <= InlineLimit)
        {
            var span = chunk.AsSpan(0, length);
            _md5.AppendData(span);
            _sha1.AppendData(span);
            _sha256.AppendData(span);
            _sha512.AppendData(span);
            ArrayPool<byte>.Shared.Return(chunk);
            return;
        }
        await _slots.WaitAsync(cancellationToken);
        _dispatched = true;
        _lanes ??= [new Lane(_md5, "md5"), new Lane(_sha1, "sha1"), new Lane(_sha256, "sha256"), new Lane(_sha512, "sha512")];
        var work = new Chunk(chunk, length, this);
        foreach (var lane in _lanes) lane.Queue.Add(work, CancellationToken.None);
    }

    /// <summary>Waits for the lanes and returns the file's digests; the pipeline is ready for the next file.</summary>
    public async ValueTask<FileDigests> FinishFileAsync()
    {
        if (_dispatched)
        {
            var end = new EndOfFile(_lanes!.Length);
            foreach (var lane in _lanes) lane.Queue.Add(end);
            await end.Done.Task;
            _dispatched = false;
        }
        var bytes = new byte[FileDigests.TotalLength];
        _md5.GetHashAndReset(bytes.AsSpan(0, 16));
        _sha1.GetHashAndReset(bytes.AsSpan(16, 20));
        _sha256.GetHashAndReset(bytes.AsSpan(36, 32));
        _sha512.GetHashAndReset(bytes.AsSpan(68, 64));
        return new FileDigests(bytes);
    }

    /// <summary>Discards a file abandoned half-way (e.g. a truncated tar) so nothing is left running.</summary>
    public async ValueTask AbandonFileAsync()
    {
        try { await FinishFileAsync(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        // Lanes may still run after a failure: let them end before the hash states go away.
        foreach (var lane in _lanes ?? []) lane.Stop();
        _md5.Dispose();
        _sha1.Dispose();
        _sha256.Dispose();
        _sha512.Dispose();
        _slots.Dispose();
    }

    private abstract class Work;

    private sealed class Chunk(byte[] buffer, int length, DigestPipeline owner) : Work
    {
        private int _lanesLeft = 4;

        public void Hash(IncrementalHash hash)
        {
            hash.AppendData(buffer.AsSpan(0, length));
            if (Interlocked.Decrement(ref _lanesLeft) != 0) return;
            ArrayPool<byte>.Shared.Return(buffer);
            owner._slots.Release();
        }
    }

    private sealed class EndOfFile(int lanes) : Work
    {
        private int _lanesLeft = lanes;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Reached() { if (Interlocked.Decrement(ref _lanesLeft) == 0) Done.SetResult(); }
    }

    private sealed class Lane
    {
        private readonly Thread _thread;
        public BlockingCollection<Work> Queue { get; } = new(MaxChunksInFlight + 1);

        public Lane(IncrementalHash hash, string name)
        {
            _thread = new Thread(() =>
            {
                foreach (var work in Queue.GetConsumingEnumerable())
                    if (work is Chunk chunk) chunk.Hash(hash); else ((EndOfFile)work).Reached();
            }) { IsBackground = true, Name = "bagit-" + name };
            _thread.Start();
        }

        public void Stop()
        {
            Queue.CompleteAdding();
            _thread.Join();
            Queue.Dispose();
        }
    }
}
