using Microsoft.Extensions.Options;

namespace Bus.Api.Limits;

/// <summary>
/// At most <see cref="ApiOptions.MaxConcurrentUploads"/> streamed uploads at once: each holds up to two
/// part buffers, so this is what bounds the API's upload memory.
/// </summary>
public sealed class UploadSlots(IOptions<ApiOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentUploads, options.Value.MaxConcurrentUploads);

    /// <summary>A slot to dispose when the upload ends, or null when every slot is taken (no waiting: the client retries).</summary>
    public IDisposable? TryTake() => _slots.Wait(0) ? new Slot(_slots) : null;

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
