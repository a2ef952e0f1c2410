namespace Bus.Workflows.Steps;

/// <summary>
/// Tells concurrent file workers whether their workflow was cancelled, asking (the database, through
/// <paramref name="isCancelled"/>) at most once per <see cref="Interval"/>: a query per file doubled the
/// database work of a step over small files. A cancel is therefore seen within a second, and
/// compensation removes whatever was done meanwhile.
/// </summary>
public sealed class CancelWatch(Func<CancellationToken, ValueTask<bool>> isCancelled)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private long _askedAt = -1; // Environment.TickCount64 of the last answer; -1: never asked
    private int _asking;
    private volatile bool _cancelled;

    public async ValueTask<bool> IsCancelledAsync(CancellationToken cancellationToken)
    {
        var askedAt = Volatile.Read(ref _askedAt);
        if (_cancelled || (askedAt >= 0 && Environment.TickCount64 - askedAt < (long)Interval.TotalMilliseconds)) return _cancelled;
        // One worker asks; the others go on with the last answer rather than queue behind it.
        if (Interlocked.CompareExchange(ref _asking, 1, 0) != 0) return _cancelled;
        try
        {
            _cancelled = await isCancelled(cancellationToken);
            Volatile.Write(ref _askedAt, Environment.TickCount64);
            return _cancelled;
        }
        finally
        {
            Volatile.Write(ref _asking, 0);
        }
    }
}
