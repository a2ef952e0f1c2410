using Bus.Contracts.Ingest;
using MassTransit;

namespace Bus.Ingest.StateMachines;

/// <summary>
/// One ingest, keyed by <see cref="IngestIds.For"/>(institution, bucket, key, ETag), or for a later
/// submission of the same upload by <see cref="IngestIds.SuccessorOf"/> its predecessor. Per-step attempts, timings
/// and the last error are plain columns so operators can query them with SQL. Per-file progress
/// lives in the interim tables, not here: the saga row stays small whatever the bag size.
/// </summary>
public class IngestState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";

    public string Institution { get; set; } = "";
    public string Bucket { get; set; } = "";
    public string Key { get; set; } = "";
    public string ETag { get; set; } = "";
    public long Size { get; set; }
    public string? RequestedStorageOption { get; set; }
    public string SubmittedBy { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The latest <see cref="SubmitIngest.SubmittedAt"/> this ingest has seen (a client waits for it to know its submit was handled).</summary>
    public DateTimeOffset? LastSubmittedAt { get; set; }
    /// <summary>The ingest a later submission of this upload started (<see cref="IngestIds.SuccessorOf"/> this one), once there is one.</summary>
    public Guid? SupersededBy { get; set; }
    /// <summary>The ended ingest of the same upload whose later submission started this one.</summary>
    public Guid? Supersedes { get; set; }

    public string? BagName { get; set; }
    public string? ObjectIdentifier { get; set; }
    public string? StorageOption { get; set; }
    public bool Reingest { get; set; }
    public int FileCount { get; set; }
    public long Bytes { get; set; }
    public int FilesStored { get; set; }

    /// <summary>The step whose command is outstanding (or whose fault parked the saga).</summary>
    public string? CurrentStep { get; set; }
    public long ProgressDone { get; set; }
    public long ProgressTotal { get; set; }
    public string? LastError { get; set; }
    /// <summary>JSON array of <see cref="IngestRejection"/>: every reason an invalid bag was refused.</summary>
    public string? Rejections { get; set; }
    public string? CancelledBy { get; set; }
    public DateTimeOffset? CompensatedAt { get; set; }
    public int CompensationStagingDeleted { get; set; }
    public int CompensationCopiesDeleted { get; set; }

    /// <summary>When this ingest took the object's item lock (null: not held, or not yet).</summary>
    public DateTimeOffset? ItemLockedAt { get; set; }
    /// <summary>Times the item lock was found held by another workflow.</summary>
    public int ItemLockWaits { get; set; }
    public Guid? ItemLockRetryTokenId { get; set; }

    public int UnpackAttempts { get; set; }
    public DateTimeOffset? UnpackStartedAt { get; set; }
    public DateTimeOffset? UnpackFinishedAt { get; set; }
    public int ValidateAttempts { get; set; }
    public DateTimeOffset? ValidateStartedAt { get; set; }
    public DateTimeOffset? ValidateFinishedAt { get; set; }
    public int IdentifyAttempts { get; set; }
    public DateTimeOffset? IdentifyStartedAt { get; set; }
    public DateTimeOffset? IdentifyFinishedAt { get; set; }
    public int StoreAttempts { get; set; }
    public DateTimeOffset? StoreStartedAt { get; set; }
    public DateTimeOffset? StoreFinishedAt { get; set; }
    public int VerifyAttempts { get; set; }
    public DateTimeOffset? VerifyStartedAt { get; set; }
    public DateTimeOffset? VerifyFinishedAt { get; set; }
    public int RecordAttempts { get; set; }
    public DateTimeOffset? RecordStartedAt { get; set; }
    public DateTimeOffset? RecordFinishedAt { get; set; }
    public int CleanUpAttempts { get; set; }
    public DateTimeOffset? CleanUpStartedAt { get; set; }
    public DateTimeOffset? CleanUpFinishedAt { get; set; }

    /// <summary>A step's consumer began a delivery: one more attempt; the first sets the start time.</summary>
    public void StepAttempted(string step, DateTimeOffset at)
    {
        switch (step)
        {
            case IngestSteps.Unpack: UnpackAttempts++; UnpackStartedAt ??= at; break;
            case IngestSteps.Validate: ValidateAttempts++; ValidateStartedAt ??= at; break;
            case IngestSteps.Identify: IdentifyAttempts++; IdentifyStartedAt ??= at; break;
            case IngestSteps.Store: StoreAttempts++; StoreStartedAt ??= at; break;
            case IngestSteps.Verify: VerifyAttempts++; VerifyStartedAt ??= at; break;
            case IngestSteps.Record: RecordAttempts++; RecordStartedAt ??= at; break;
            case IngestSteps.CleanUp: CleanUpAttempts++; CleanUpStartedAt ??= at; break;
        }
    }

    /// <summary>The saga moves to <paramref name="next"/>: the current step is finished at <paramref name="at"/>.</summary>
    public void StepFinished(string step, string? next, DateTimeOffset at)
    {
        switch (step)
        {
            case IngestSteps.Unpack: UnpackFinishedAt = at; break;
            case IngestSteps.Validate: ValidateFinishedAt = at; break;
            case IngestSteps.Identify: IdentifyFinishedAt = at; break;
            case IngestSteps.Store: StoreFinishedAt = at; break;
            case IngestSteps.Verify: VerifyFinishedAt = at; break;
            case IngestSteps.Record: RecordFinishedAt = at; break;
            case IngestSteps.CleanUp: CleanUpFinishedAt = at; break;
        }
        CurrentStep = next;
        ProgressDone = 0;
        ProgressTotal = 0;
        LastError = null;
    }

    public IReadOnlyList<IngestStepTiming> StepTimings() =>
    [
        new(IngestSteps.Unpack, UnpackAttempts, UnpackStartedAt, UnpackFinishedAt),
        new(IngestSteps.Validate, ValidateAttempts, ValidateStartedAt, ValidateFinishedAt),
        new(IngestSteps.Identify, IdentifyAttempts, IdentifyStartedAt, IdentifyFinishedAt),
        new(IngestSteps.Store, StoreAttempts, StoreStartedAt, StoreFinishedAt),
        new(IngestSteps.Verify, VerifyAttempts, VerifyStartedAt, VerifyFinishedAt),
        new(IngestSteps.Record, RecordAttempts, RecordStartedAt, RecordFinishedAt),
        new(IngestSteps.CleanUp, CleanUpAttempts, CleanUpStartedAt, CleanUpFinishedAt),
    ];

    /// <summary>Keeps the latest submission time seen (a waiting client compares it with its own).</summary>
    public void SubmissionSeen(SubmitIngest m)
    {
        if (LastSubmittedAt is null || m.SubmittedAt > LastSubmittedAt) LastSubmittedAt = m.SubmittedAt;
    }
}
