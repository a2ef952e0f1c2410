namespace Bus.Workflows.Coordination;

/// <summary>
/// One piece of exclusive work per preserved object (ingest, deletion): whoever holds an object's
/// lock is the only workflow allowed to change its stored copies or registry rows. Ingest and
/// deletion both depend on this small interface, never on each other's saga tables, so neither has
/// to know how the other stores its state. Acquiring is idempotent for the same owner, so a retried
/// or redelivered step can call it again.
/// </summary>
public interface IItemLocks
{
    /// <summary>Takes the lock on <paramref name="objectIdentifier"/> for <paramref name="owner"/>, or reports who holds it.</summary>
    Task<ItemLockResult> TryAcquireAsync(string objectIdentifier, string kind, Guid owner, CancellationToken cancellationToken = default);

    /// <summary>Releases the lock if <paramref name="owner"/> holds it (releasing twice, or a lock held by another, is a no-op).</summary>
    Task ReleaseAsync(string objectIdentifier, Guid owner, CancellationToken cancellationToken = default);

    Task<ItemLock?> FindAsync(string objectIdentifier, CancellationToken cancellationToken = default);
}

/// <summary>Kinds of work that lock an object.</summary>
public static class ItemLockKinds
{
    public const string Ingest = "ingest";
    public const string Deletion = "deletion";
    /// <summary>Held by a fixity repair only while it writes a copy (one server-side copy), so no deletion starts meanwhile.</summary>
    public const string FixityRepair = "fixity-repair";
    /// <summary>Held by a restore from its start to its end, so no deletion removes copies it is reading.</summary>
    public const string Restore = "restore";
}

public sealed record ItemLock(string ObjectIdentifier, string Kind, Guid Owner, DateTimeOffset Since);

/// <summary><see cref="Acquired"/>, or the lock somebody else holds.</summary>
public sealed record ItemLockResult(bool Acquired, ItemLock Holder);
