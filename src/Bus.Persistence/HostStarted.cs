using Microsoft.Extensions.Hosting;

namespace Bus.Persistence;

internal static class HostStarted
{
    /// <summary>
    /// Waits for the host to finish starting (the bus is started by a hosted service of its own, and
    /// sending before it is up fails). False when the host stops first.
    /// </summary>
    public static async Task<bool> WaitAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested) return true;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var b = stoppingToken.Register(() => started.TrySetResult());
        await started.Task;
        return !stoppingToken.IsCancellationRequested;
    }
}
