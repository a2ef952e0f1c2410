using System.Buffers;

namespace Bus.BagIt.Scanning;

/// <summary>
/// The read-once stream a sink gets: exactly <c>length</c> bytes of the source, each byte copied
/// into pooled chunks for the <see cref="DigestPipeline"/> as it passes (and into a bounded
/// capture buffer for tag files). <see cref="CompleteAsync"/> reads whatever the sink left.
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _source;
    // Null for a small file: its bytes are only collected, for a SmallFileBatch to hash.
    private readonly DigestPipeline? _pipeline;
    private readonly MemoryStream? _capture;
    private readonly string _path;
    private readonly long _length;
    private long _remaining;
    private byte[]? _chunk;
    private int _chunkLength;

    public HashingReadStream(Stream source, long length, DigestPipeline? pipeline, MemoryStream? capture, string path)
    {
        _source = source;
        _length = length;
        _remaining = length;
        _pipeline = pipeline;
        _capture = capture;
        _path = path;
        _chunk = pipeline is null ? ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1)) : DigestPipeline.RentChunk();
    }

    /// <summary>For a small file: reads what the sink left and returns all its bytes (valid until disposal).</summary>
    public async ValueTask<ReadOnlyMemory<byte>> CompleteSmallAsync(CancellationToken cancellationToken)
    {
        var chunk = _chunk!;
        while (_remaining > 0)
        {
            var read = await _source.ReadAsync(chunk.AsMemory(_chunkLength, (int)_remaining), cancellationToken);
            if (read == 0) throw Truncated();
            _capture?.Write(chunk, _chunkLength, read);
            _chunkLength += read;
            _remaining -= read;
        }
        return chunk.AsMemory(0, _chunkLength);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        var want = (int)Math.Min(buffer.Length, _remaining);
        var read = await _source.ReadAsync(buffer[..want], cancellationToken);
        if (read == 0) throw Truncated();
        await TakeAsync(buffer[..read], cancellationToken);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous readers (some SDKs) get the same bytes; the pipeline's wait is short and bounded.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Reads and hashes the rest of the file, then returns its digests.</summary>
    public async ValueTask<FileDigests> CompleteAsync(CancellationToken cancellationToken)
    {
        // Read straight into the chunk: no copy when the sink reads nothing (local validation).
        while (_remaining > 0)
        {
            var chunk = _chunk!; // a chunk is always rented while bytes remain
            var want = (int)Math.Min(DigestPipeline.ChunkSize - _chunkLength, _remaining);
            var read = await _source.ReadAsync(chunk.AsMemory(_chunkLength, want), cancellationToken);
            if (read == 0) throw Truncated();
            _capture?.Write(chunk, _chunkLength, read);
            _chunkLength += read;
            _remaining -= read;
            if (_chunkLength == DigestPipeline.ChunkSize || _remaining == 0) await FlushChunkAsync(cancellationToken);
        }
        if (_chunk is not null) await FlushChunkAsync(cancellationToken); // empty file
        return await _pipeline!.FinishFileAsync();
    }

    /// <summary>Bytes taken from the source so far.</summary>
    public long Consumed => _length - _remaining;

    /// <summary>
    /// Stops with bytes left (a sink paused at a part boundary): hashes what was taken and returns the
    /// digests' saved states; the rest of the file is read in a later slice.
    /// </summary>
    public async ValueTask<List<byte[]>> PauseAsync(CancellationToken cancellationToken)
    {
        if (_chunkLength > 0) await FlushChunkAsync(cancellationToken);
        return await _pipeline!.PauseFileAsync();
    }

    private async ValueTask TakeAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _capture?.Write(data.Span);
        while (data.Length > 0)
        {
            var n = Math.Min(DigestPipeline.ChunkSize - _chunkLength, data.Length);
            data.Span[..n].CopyTo(_chunk!.AsSpan(_chunkLength));
            _chunkLength += n;
            _remaining -= n;
            data = data[n..];
            if (_pipeline is not null && (_chunkLength == DigestPipeline.ChunkSize || _remaining == 0)) await FlushChunkAsync(cancellationToken);
        }
    }

    private async ValueTask FlushChunkAsync(CancellationToken cancellationToken)
    {
        var chunk = _chunk!;
        var length = _chunkLength;
        _chunk = _remaining > 0 ? DigestPipeline.RentChunk() : null;
        _chunkLength = 0;
        await _pipeline!.AppendAsync(chunk, length, lastOfFile: _remaining == 0, cancellationToken);
    }

    private BagScanException Truncated() => new(BagIssueCodes.TarTruncated, $"the tar ends inside '{_path}' ({_remaining} bytes missing): truncated or corrupt archive", _path);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_chunk is not null) ArrayPool<byte>.Shared.Return(_chunk);
        _chunk = null;
        base.Dispose(disposing);
    }
}
