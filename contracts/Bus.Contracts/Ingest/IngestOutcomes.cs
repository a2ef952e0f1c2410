namespace Bus.Contracts.Ingest;

public sealed record IngestAccepted(Guid IngestId, string Institution, string Bucket, string Key, DateTimeOffset AcceptedAt);

public sealed record IngestCompleted(Guid IngestId, string ObjectIdentifier, int FileCount, long Bytes, int FilesStored, bool Reingest, DateTimeOffset CompletedAt);

/// <summary>The bag is invalid: every reason found, none retried.</summary>
public sealed record IngestRejected(Guid IngestId, IReadOnlyList<IngestRejection> Reasons, DateTimeOffset RejectedAt);

/// <summary>
/// One reason a bag was refused: a stable machine-readable <paramref name="Code"/> (BagIt issue codes such as
/// <c>manifest-checksum-mismatch</c>, or ingest's own such as <c>institution-unknown</c>).
/// </summary>
public sealed record IngestRejection(string Code, string Message, string? Path = null);

/// <summary>
/// A step failed for good (e.g. a copy that never verifies); what it stored was compensated.
/// <paramref name="Code"/> is machine-readable (<see cref="IngestFailureCodes"/>, or the step's own code); null from older senders.
/// </summary>
public sealed record IngestFailed(Guid IngestId, string Step, string Reason, DateTimeOffset FailedAt, string? Code = null);

/// <summary>Stable codes of <see cref="IngestFailed.Code"/> that ingest itself sets.</summary>
public static class IngestFailureCodes
{
    /// <summary>Another workflow (a deletion) held the object's item lock for longer than the ingest may wait.</summary>
    public const string ItemLocked = "item-locked";

    /// <summary>
    /// Record found an active file of the object without a verified copy in a bucket it needs: nothing
    /// was recorded, and the ingest does not report Completed for an object it cannot vouch for.
    /// </summary>
    public const string CopiesIncomplete = "copies-incomplete";
}

/// <summary>Stable codes of <see cref="IngestRejection.Code"/> that ingest itself sets (BagIt's own codes aside).</summary>
public static class IngestRejectionCodes
{
    /// <summary>
    /// The submission itself was refused before anything was read or stored: its tar is not under the
    /// institution's receiving prefix, or its submitter (registry user or integrator broker user) does
    /// not belong to the institution. A later authorized submit of the same upload starts the ingest.
    /// </summary>
    public const string SubmissionRefused = "submission-refused";
}

public sealed record IngestCancelled(Guid IngestId, string RequestedBy, DateTimeOffset CancelledAt);

/// <summary>A step's command faulted after every retry: the saga waits for an operator to replay it from its _error queue.</summary>
public sealed record IngestFaulted(Guid IngestId, string Step, string Error, DateTimeOffset FaultedAt);
