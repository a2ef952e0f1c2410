namespace Bus.Restore.StateMachines.Messages;

// Internal: the restore saga and its steps exchange these (contracts/Bus.Contracts/README.md). They carry the
// restore id only: a step reads what to restore from the saga's row.

/// <summary>Find the files and their copies, HEAD each copy, ask for cold copies to be restored, fix the plan.</summary>
public sealed record PrepareRestore(Guid RestoreId);

/// <summary>
/// The plan is fixed and every file has a readable copy (<see cref="Ready"/>), or <see cref="ColdPending"/> files
/// wait for their cold copies to be restored: the saga polls again later.
/// </summary>
public sealed record RestorePrepared(Guid RestoreId, bool Ready, int Files, long Bytes, int ColdPending, string Detail);

/// <summary>Stream the planned files, verified, into the restore bucket (in time slices).</summary>
public sealed record WriteRestore(Guid RestoreId);

/// <summary>The result is complete in <see cref="Bucket"/>/<see cref="Key"/>: every byte was verified.</summary>
public sealed record RestoreWritten(Guid RestoreId, string Bucket, string Key, long Size, int Files);

/// <summary>
/// Writing stopped before a file whose next copy is cold and not restored (its restore was asked for): the saga
/// polls on the scheduler like it does for a plan's cold copies, then writing goes on from the checkpoint.
/// </summary>
public sealed record RestoreWaitingForCopy(Guid RestoreId, string Detail);

/// <summary>The restore cannot succeed (unknown item, a file without a matching copy): nothing is left in the restore bucket.</summary>
public sealed record RestoreStepFailed(Guid RestoreId, string Reason);

/// <summary>Scheduled: try the item lock again, or poll cold copies again.</summary>
public sealed record RestoreRetry(Guid RestoreId);
