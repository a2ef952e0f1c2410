namespace Bus.BagIt.Scanning;

/// <summary>
/// Remembers whether a read from the stream under it failed. The scanner wraps the tar's source in
/// one (an S3 body: its failures are I/O, retried by ingest) and each entry's data stream in another
/// (TarReader's: its failures are the archive's), so a reader exception is told from a network one
/// by where it came from, not by its type (TarReader throws IOException subclasses too).
/// With a declared length, a source that ends sooner fails here with an <see cref="IOException"/>:
/// a body cut short is a broken transfer, not a truncated tar.
/// </summary>
internal sealed class WatchedReadStream(Stream inner, long? declaredLength = null) : Stream
{
    private long _read;

    public bool Failed { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed = true;
            throw;
        }
        return Counted(read, buffer.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed = true;
            throw;
        }
        return Counted(read, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Counted(int read, int wanted)
    {
        if (read == 0 && wanted > 0 && declaredLength is { } length && _read < length)
        {
            Failed = true;
            throw new IOException($"the tar's source ended after {_read} of its {length} bytes (a broken transfer, not a short tar)");
        }
        _read += read;
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
