namespace Bus.Workflows.Copies.Data;

/// <summary>
/// One time slice of a read of a copy (<c>bus.copy_read_slices</c>). The newest slice of a read is its
/// checkpoint: the next slice continues at <see cref="ToOffset"/> of version <see cref="ETag"/> from
/// <see cref="HashStates"/> (one <see cref="Bus.Hashing.ResumableHash"/> state per algorithm in
/// <see cref="Algorithms"/>). <see cref="WorkflowId"/> is the workflow the read belongs to (the fixity check,
/// the ingest), so a workflow's reads can be found and forgotten together. <see cref="RestartReason"/> says
/// why a slice began at 0 although a checkpoint existed (refused state, object replaced, algorithms changed).
/// </summary>
public sealed record CopyReadSlice(
    Guid ReadId, int Slice, Guid WorkflowId, long FromOffset, long ToOffset, string? ETag, long? Size,
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

/// <summary>The one checkpoint store of sliced reads of copies (every workflow's).</summary>
public interface ICopyReadSlices
{
    /// <summary>The read's newest slice (its checkpoint), or null before its first slice ended.</summary>
    Task<CopyReadSlice?> LatestAsync(Guid readId, CancellationToken cancellationToken);

    /// <summary>Records a slice unless that slice number exists already (another delivery recorded it): false then.</summary>
    Task<bool> TryAddAsync(CopyReadSlice slice, CancellationToken cancellationToken);

    /// <summary>Every slice of a read, in order.</summary>
    Task<IReadOnlyList<CopyReadSlice>> ListAsync(Guid readId, CancellationToken cancellationToken);

    /// <summary>Forgets a read's slices: its next read starts from byte 0 (a re-copied object is read whole again).</summary>
    Task ForgetAsync(Guid readId, CancellationToken cancellationToken);

    /// <summary>Forgets every read of a workflow (an ingest that ended); returns how many slices.</summary>
    Task<int> ForgetWorkflowAsync(Guid workflowId, CancellationToken cancellationToken);
}
