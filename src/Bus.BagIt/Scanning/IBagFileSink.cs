namespace Bus.BagIt.Scanning;

/// <summary>
/// Receives each regular file's content while the scanner hashes it, e.g. to stream it to a
/// staging bucket in the same pass. Called in tar order, one file at a time.
/// </summary>
public interface IBagFileSink
{
    /// <summary>
    /// <paramref name="content"/> is a read-once, non-seekable stream of exactly
    /// <see cref="BagEntry.Size"/> bytes, hashed as it is read. The sink may read all of it, part
    /// of it or none (e.g. a file already staged by an earlier attempt): the scanner reads and
    /// hashes whatever is left after this returns. Not called for entries whose path is unsafe
    /// (absolute, <c>..</c>) or that duplicate an earlier entry.
    /// </summary>
    Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Called once the file's four digests are final, in tar order. For small files (up to 64 KiB,
    /// hashed in batches) this can come after later files' <see cref="WriteAsync"/>; every call has
    /// been made when the scan returns. The place to write the per-file interim row.
    /// </summary>
    Task FileCompletedAsync(BagFile file, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>For local validation: the scanner only hashes.</summary>
public sealed class NullBagFileSink : IBagFileSink
{
    public static readonly NullBagFileSink Instance = new();
    private NullBagFileSink() { }
    public Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// A sink that can stop inside a large file at one of its own part boundaries and continue it in a
/// later slice, on any process: a time-sliced Unpack of a file of tens of GB must hand on before the
/// broker's consumer timeout. The scanner saves the sink's state with the digests' states.
/// </summary>
public interface IPausableBagFileSink : IBagFileSink
{
    /// <summary>Whether this file may be paused (e.g. it is larger than one part).</summary>
    bool CanPause(BagEntry entry);

    /// <summary>
    /// Writes the file from <paramref name="content"/>, which holds its bytes from
    /// <paramref name="bytesDone"/> on (0 and a null <paramref name="resumeState"/> for a fresh file).
    /// After each part, while bytes remain, asks <paramref name="pauseRequested"/>; when it says so,
    /// returns the state to continue from, having read exactly up to that part boundary. Returns null
    /// once the whole file is written. Throws <see cref="PartialFileRefusedException"/> when
    /// <paramref name="resumeState"/> can no longer be continued (e.g. its upload is gone).
    /// </summary>
    Task<string?> WritePausableAsync(BagEntry entry, Stream content, long bytesDone, string? resumeState, Func<bool> pauseRequested,
        CancellationToken cancellationToken);

    /// <summary>Releases what a paused file holds (an open upload) when it will not be continued.</summary>
    Task DiscardAsync(BagEntry entry, string resumeState, CancellationToken cancellationToken);
}
