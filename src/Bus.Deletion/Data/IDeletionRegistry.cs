namespace Bus.Deletion.Data;

/// <summary>
/// What deletion reads from and writes to the preservation registry. An interface so the state
/// machine's approval and refusal matrix runs on the in-memory harness; the PostgreSQL
/// implementation is a thin adapter over the registry's store.
/// </summary>
public interface IDeletionRegistry
{
    /// <summary>The object or file named by <paramref name="identifier"/>, with its active copies; null when unknown.</summary>
    Task<DeletionTarget?> FindTargetAsync(string identifier, CancellationToken cancellationToken);

    Task<DeletionUser?> FindUserAsync(string email, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: marks the item (and for an object, its files) deleted at
    /// <paramref name="deletion"/>'s time and records one PREMIS deletion event per file and one for
    /// the object. Idempotent: a repeat keeps the first deleted_at and adds no event twice.
    /// </summary>
    Task TombstoneAsync(Tombstone deletion, CancellationToken cancellationToken);
}

/// <summary>An object or file to delete. <see cref="State"/> is the registry's (active or deleted).</summary>
public sealed record DeletionTarget(
    string Identifier, string ObjectIdentifier, string Institution, bool IsFile, string State, IReadOnlyList<StoredCopy> Copies);

/// <summary>One active storage copy of a file.</summary>
public sealed record StoredCopy(string FileIdentifier, string Bucket, string Key, string StorageOption, DateTimeOffset StoredAt);

public sealed record DeletionUser(string Email, string Institution, string Role);

/// <summary>What the tombstone and its PREMIS events record.</summary>
public sealed record Tombstone(
    Guid RequestId, string Identifier, string RequestedBy, string ApprovedBy, string Reason, DateTimeOffset DeletedAt, int CopiesRemoved);
