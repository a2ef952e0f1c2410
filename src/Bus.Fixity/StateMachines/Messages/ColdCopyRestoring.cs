namespace Bus.Fixity.StateMachines.Messages;

// Internal: the fixity check saga and its steps exchange these (contracts/Bus.Contracts/README.md).

/// <summary>
/// A step needs a cold copy read (the check's periodic read, or a repair's source) and S3 is restoring it: the saga
/// polls again later on the PostgreSQL scheduler, with backoff, by sending the step its message again.
/// </summary>
public sealed record ColdCopyRestoring(Guid CheckId, long StorageRecordId, string Detail);

/// <summary>Scheduled by the saga: time to send the waiting step its message again.</summary>
public sealed record ColdRestorePoll(Guid CheckId, long StorageRecordId);
