namespace Bus.Ingest.Data;

/// <summary>One copy's mark: its file, its slot ("primary" or "replica") and the value the mark records (ETag, S3 checksum).</summary>
public sealed record CopyMark(string Path, string Slot, string? Value);

/// <summary>
/// Store's and Verify's per-copy marks, written together: one statement for up to <see cref="MaxMarks"/> copies
/// or <see cref="MaxBytes"/> bytes copied or read, and whatever is left when the step's file work stops (done,
/// yield, cancel, failure), before it reports or hands itself on. A mark per copy was a commit per copy: of a
/// small bag's 18 copies, 18 round trips and 18 commits per step.
/// What a crash can cost is bounded by the same two limits: a copy made but not yet marked is made (or read)
/// again by the retry, as a copy whose mark was lost at the moment of the crash always was; the copy is the
/// same object under the same key either way. Thread-safe: the step's concurrent file workers share one.
/// </summary>
public sealed class CopyMarks(Func<IReadOnlyList<CopyMark>, CancellationToken, Task> write) : IDisposable
{
    /// <summary>A crash re-does at most this many small copies.</summary>
    public const int MaxMarks = 32;

    /// <summary>Large copies are marked before many of them add up: a crash re-copies at most about this many bytes.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    // One write at a time: two statements updating overlapping rows (a file's primary and replica marks) in
    // different orders could deadlock each other.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly object _gate = new();
    private List<CopyMark> _pending = [];
    private long _pendingBytes;

    /// <summary>Adds a mark; writes the pending ones when a limit is reached.</summary>
    public async Task AddAsync(CopyMark mark, long bytes)
    {
        bool full;
        lock (_gate)
        {
            _pending.Add(mark);
            _pendingBytes += bytes;
            full = _pending.Count >= MaxMarks || _pendingBytes >= MaxBytes;
        }
        if (full) await FlushAsync();
    }

    /// <summary>Writes every pending mark (never cancelled: a copy made must be marked if at all possible).</summary>
    public async Task FlushAsync()
    {
        await _writing.WaitAsync();
        try
        {
            List<CopyMark> marks;
            lock (_gate)
            {
                if (_pending.Count == 0) return;
                marks = _pending;
                _pending = [];
                _pendingBytes = 0;
            }
            await write(marks, CancellationToken.None);
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();
}
