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

/// <summary>A step failed for good (e.g. a copy that never verifies); what it stored was compensated.</summary>
public sealed record IngestFailed(Guid IngestId, string Step, string Reason, DateTimeOffset FailedAt);

public sealed record IngestCancelled(Guid IngestId, string RequestedBy, DateTimeOffset CancelledAt);

/// <summary>A step's command faulted after every retry: the saga waits for an operator to replay it from its _error queue.</summary>
public sealed record IngestFaulted(Guid IngestId, string Step, string Error, DateTimeOffset FaultedAt);
