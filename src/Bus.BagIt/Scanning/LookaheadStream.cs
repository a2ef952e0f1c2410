namespace Bus.BagIt.Scanning;

/// <summary>
/// A forward-only stream that can show bytes before they are read: the scanner looks at the next
/// tar headers before <see cref="System.Formats.Tar.TarReader"/> reads them (see <see cref="TarHeaderGuard"/>).
/// Peeked bytes are kept until read; the buffer grows only as far as the largest peek.
/// </summary>
internal sealed class LookaheadStream(Stream inner) : Stream
{
    private byte[] _buffer = [];
    private int _start;
    private int _count;

    /// <summary>The next <paramref name="count"/> bytes without consuming them; fewer at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        if (_count >= count) return _buffer.AsMemory(_start, count);
        if (_buffer.Length - _start < count)
        {
            var bigger = _buffer.Length >= count ? _buffer : new byte[count];
            Array.Copy(_buffer, _start, bigger, 0, _count);
            _buffer = bigger;
            _start = 0;
        }
        while (_count < count)
        {
            var read = await inner.ReadAsync(_buffer.AsMemory(_start + _count, count - _count), cancellationToken);
            if (read == 0) break;
            _count += read;
        }
        return _buffer.AsMemory(_start, Math.Min(count, _count));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => _count > 0 ? Take(buffer) : inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _count > 0 ? ValueTask.FromResult(Take(buffer.Span)) : inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _count);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        _count -= n;
        if (_count == 0) _start = 0;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
