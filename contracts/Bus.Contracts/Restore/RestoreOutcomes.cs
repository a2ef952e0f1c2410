namespace Bus.Contracts.Restore;

/// <summary>
/// A restore ended with every byte of <see cref="Key"/> in <see cref="Bucket"/> verified against the registry's
/// sha256 of its file while it streamed.
/// </summary>
public sealed record RestoreCompleted(Guid RestoreId, string Identifier, string Bucket, string Key, long Size, int Files, DateTimeOffset CompletedAt);

/// <summary>A restore ended without a result (nothing is left in the restore bucket); <see cref="Reason"/> says why.</summary>
public sealed record RestoreFailed(Guid RestoreId, string Identifier, string Reason, DateTimeOffset FailedAt);
