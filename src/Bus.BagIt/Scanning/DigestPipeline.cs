using System.Buffers;
using System.Collections.Concurrent;
using Bus.Hashing;

namespace Bus.BagIt.Scanning;

/// <summary>
/// Computes md5, sha1, sha256 and sha512 of one large file at a time in a single pass. The four
/// digests cost about 4.4 CPU-s/GiB (measured on this project's 2-core machine; md5 alone 1.6), so each algorithm has its own lane,
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

    private static readonly string[] Algorithms = ["md5", "sha1", "sha256", "sha512"];

    // ResumableHash, not IncrementalHash (both OpenSSL, the same CPU per byte): a time-sliced Unpack
    // stops inside a file of tens of GB and another process continues its digests from saved states.
    // Lane i only touches _hashes[i], and only between a file's start and its end-of-file barrier;
    // the array's entries are replaced after that barrier, when every lane is idle.
    private readonly ResumableHash[] _hashes = NewHashes();
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
            foreach (var hash in _hashes) hash.Append(span);
            ArrayPool<byte>.Shared.Return(chunk);
            return;
        }
        await _slots.WaitAsync(cancellationToken);
        _dispatched = true;
        _lanes ??= [.. Enumerable.Range(0, Algorithms.Length).Select(i => new Lane(this, i))];
        var work = new Chunk(chunk, length, this);
        foreach (var lane in _lanes) lane.Queue.Add(work, CancellationToken.None);
    }

    /// <summary>Waits for the lanes and returns the file's digests; the pipeline is ready for the next file.</summary>
    public async ValueTask<FileDigests> FinishFileAsync()
    {
        await DrainAsync();
        var bytes = new byte[FileDigests.TotalLength];
        var at = 0;
        foreach (var hash in _hashes)
        {
            var digest = hash.Finish();
            digest.CopyTo(bytes, at);
            at += digest.Length;
        }
        Reset();
        return new FileDigests(bytes);
    }

    /// <summary>
    /// Waits for the lanes and returns the saved states of the file's four digests (md5, sha1, sha256,
    /// sha512) so far, for <see cref="ResumeFile"/> in a later slice; the pipeline is ready for a next file.
    /// </summary>
    public async ValueTask<List<byte[]>> PauseFileAsync()
    {
        await DrainAsync();
        var states = _hashes.Select(h => h.SaveState()).ToList();
        Reset();
        return states;
    }

    /// <summary>
    /// Continues a file paused after <paramref name="bytesDone"/> bytes from its saved states. Throws
    /// <see cref="HashStateException"/> for states that cannot give a correct digest (damaged, another
    /// algorithm or OpenSSL build, or another byte count): the file must then be hashed from its start.
    /// </summary>
    public void ResumeFile(IReadOnlyList<byte[]> states, long bytesDone)
    {
        if (states.Count != Algorithms.Length)
            throw new HashStateException($"expected {Algorithms.Length} saved digest states (md5, sha1, sha256, sha512), got {states.Count}");
        var restored = states.Select((state, i) => ResumableHash.Restore(state, Algorithms[i])).ToArray();
        if (restored.FirstOrDefault(h => h.BytesHashed != bytesDone) is { } off)
            throw new HashStateException($"saved {off.Algorithm} state has taken in {off.BytesHashed} bytes, the checkpoint says {bytesDone}");
        restored.CopyTo(_hashes, 0);
    }

    private async ValueTask DrainAsync()
    {
        if (!_dispatched) return;
        var end = new EndOfFile(_lanes!.Length);
        foreach (var lane in _lanes) lane.Queue.Add(end);
        await end.Done.Task;
        _dispatched = false;
    }

    private void Reset()
    {
        for (var i = 0; i < _hashes.Length; i++) _hashes[i] = ResumableHash.Create(Algorithms[i]);
    }

    private static ResumableHash[] NewHashes() => [.. Algorithms.Select(ResumableHash.Create)];

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
        _slots.Dispose();
    }

    private abstract class Work;

    private sealed class Chunk(byte[] buffer, int length, DigestPipeline owner) : Work
    {
        private int _lanesLeft = 4;

        public void Hash(ResumableHash hash)
        {
            hash.Append(buffer.AsSpan(0, length));
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

        public Lane(DigestPipeline owner, int index)
        {
            _thread = new Thread(() =>
            {
                foreach (var work in Queue.GetConsumingEnumerable())
                    if (work is Chunk chunk) chunk.Hash(owner._hashes[index]); else ((EndOfFile)work).Reached();
            }) { IsBackground = true, Name = "bagit-" + Algorithms[index] };
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
