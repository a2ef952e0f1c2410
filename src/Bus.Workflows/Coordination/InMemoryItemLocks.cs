using System.Collections.Concurrent;

namespace Bus.Workflows.Coordination;

/// <summary><see cref="IItemLocks"/> for the in-memory test harness (one process, no database).</summary>
public sealed class InMemoryItemLocks : IItemLocks
{
    private readonly ConcurrentDictionary<string, ItemLock> _locks = new(StringComparer.Ordinal);

    public Task<ItemLockResult> TryAcquireAsync(string objectIdentifier, string kind, Guid owner, CancellationToken cancellationToken = default)
    {
        var holder = _locks.GetOrAdd(objectIdentifier, id => new ItemLock(id, kind, owner, DateTimeOffset.UtcNow));
        return Task.FromResult(new ItemLockResult(holder.Owner == owner, holder));
    }

    public Task ReleaseAsync(string objectIdentifier, Guid owner, CancellationToken cancellationToken = default)
    {
        if (_locks.TryGetValue(objectIdentifier, out var holder) && holder.Owner == owner)
            _locks.TryRemove(new KeyValuePair<string, ItemLock>(objectIdentifier, holder));
        return Task.CompletedTask;
    }

    public Task<ItemLock?> FindAsync(string objectIdentifier, CancellationToken cancellationToken = default) =>
        Task.FromResult(_locks.TryGetValue(objectIdentifier, out var holder) ? holder : null);
}
