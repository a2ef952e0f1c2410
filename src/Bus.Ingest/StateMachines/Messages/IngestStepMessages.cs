using Bus.Contracts.Ingest;

namespace Bus.Ingest.StateMachines.Messages;

// Internal: the ingest saga and its steps exchange these; no integrator sends or reads them, so they
// live beside the workflow and may change with it (contracts/Bus.Contracts/README.md).
// Step commands carry the ingest id only: state lives in PostgreSQL (the saga and the interim rows),
// so a replayed or redelivered command always acts on the latest state and skips work already done.

public sealed record UnpackBag(Guid IngestId, string Institution, string Bucket, string Key, string ETag);

/// <summary><paramref name="StorageOption"/>: the option the depositor asked for at submit, or null.</summary>
public sealed record ValidateBag(Guid IngestId, string Institution, string? StorageOption);

public sealed record IdentifyFormats(Guid IngestId);

public sealed record StoreFiles(Guid IngestId);

public sealed record VerifyCopies(Guid IngestId);

public sealed record RecordIngest(Guid IngestId);

public sealed record CleanUpIngest(Guid IngestId, string ReceivingBucket, string ReceivingKey, bool DeleteReceivingObject);

/// <summary>Undo a Failed or Cancelled ingest: delete staging objects and unrecorded preservation copies.</summary>
public sealed record CompensateIngest(Guid IngestId, string Reason);

/// <summary>Scheduled by the saga while another workflow holds the object's item lock: try to take it again.</summary>
public sealed record IngestItemLockRetry(Guid IngestId);

public sealed record BagUnpacked(Guid IngestId, string BagName, int FileCount, long Bytes, DateTimeOffset At);

public sealed record BagValidated(Guid IngestId, string ObjectIdentifier, string StorageOption, bool Reingest, int FilesToStore, DateTimeOffset At);

public sealed record BagInvalid(Guid IngestId, IReadOnlyList<IngestRejection> Reasons, DateTimeOffset At);

public sealed record FormatsIdentified(Guid IngestId, int ByLibmagic, int ByExtension, DateTimeOffset At);

public sealed record FilesStored(Guid IngestId, int CopiesMade, DateTimeOffset At);

public sealed record CopiesVerified(Guid IngestId, int CopiesVerifiedCount, int Recopied, DateTimeOffset At);

public sealed record IngestRecorded(Guid IngestId, string ObjectIdentifier, int Events, DateTimeOffset At);

public sealed record IngestCleanedUp(Guid IngestId, int ObjectsDeleted, DateTimeOffset At);

public sealed record IngestCompensated(Guid IngestId, int StagingDeleted, int CopiesDeleted, DateTimeOffset At);

/// <summary>A step ended with a fatal, non-retryable error (not an invalid bag): the ingest fails and is compensated.</summary>
public sealed record IngestStepFailed(Guid IngestId, string Step, string Code, string Message, DateTimeOffset At);

/// <summary>A step's consumer began a delivery (first try, retry, redelivery or operator replay): counted as an attempt.</summary>
public sealed record IngestStepStarted(Guid IngestId, string Step, DateTimeOffset At);

/// <summary>A long step checkpointed and continues in a new message: progress for <c>busctl ingest submit --wait</c>.</summary>
public sealed record IngestStepProgress(Guid IngestId, string Step, long Done, long Total, DateTimeOffset At);
