namespace Bus.Fixity.Checks;

/// <summary>
/// One time slice of a check's read of a copy (<c>fixity.check_slices</c>). The newest slice of a check
/// is its checkpoint: the next slice continues at <see cref="ToOffset"/> of version <see cref="ETag"/>
/// from <see cref="HashStates"/> (one <see cref="Bus.Hashing.ResumableHash"/> state per
/// algorithm in <see cref="Algorithms"/>). <see cref="RestartReason"/> says why a slice began at 0
/// although a checkpoint existed (refused state, object replaced, algorithms changed).
/// </summary>
public sealed record SliceRecord(
    Guid CheckId, int Slice, long StorageRecordId, long FromOffset, long ToOffset, string? ETag, long? Size,
    IReadOnlyList<string> Algorithms, IReadOnlyList<byte[]>? HashStates, string Ended, string? RestartReason, string Host,
    DateTimeOffset StartedAt, DateTimeOffset EndedAt);

/// <summary>Why a slice ended.</summary>
public static class SliceEnds
{
    public const string SliceSpent = "slice-spent";
    public const string HostStopping = "host-stopping";
    public const string Finished = "finished";
    public const string Missing = "missing";
}

/// <summary>Where checks keep their slices (the checkpoints of long reads).</summary>
public interface ICheckSlices
{
    /// <summary>The check's newest slice (its checkpoint), or null before its first slice ended.</summary>
    Task<SliceRecord?> LatestAsync(Guid checkId, CancellationToken cancellationToken);

    /// <summary>Records a slice unless that slice number exists already (another delivery recorded it): false then.</summary>
    Task<bool> TryAddAsync(SliceRecord slice, CancellationToken cancellationToken);

    /// <summary>Every slice of a check, in order.</summary>
    Task<IReadOnlyList<SliceRecord>> ListAsync(Guid checkId, CancellationToken cancellationToken);
}
