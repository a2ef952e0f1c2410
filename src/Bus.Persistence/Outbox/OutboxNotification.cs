namespace Bus.Persistence.Outbox;

/// <summary>
/// Wakes the delivery service in this process as soon as a transaction with outbox rows commits, so
/// delivery latency is a context switch, not a poll interval. Other processes' rows are found by polling.
/// </summary>
public sealed class OutboxNotification : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Delivered()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public void Dispose() => _signal.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
