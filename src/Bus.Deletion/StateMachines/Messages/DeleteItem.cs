namespace Bus.Deletion.StateMachines.Messages;

// Internal: the deletion saga and its steps exchange these; no integrator sends or reads them, so they
// live beside the workflow and may change with it (contracts/Bus.Contracts/README.md).

/// <summary>
/// Internal step of an approved deletion: remove every storage copy of the item, then tombstone it
/// and record the PREMIS deletion events. Carries everything the step needs, so a replay from the
/// error queue works without the saga. Idempotent: a missing copy counts as removed.
/// </summary>
public sealed record DeleteItem
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string RequestedBy { get; init; } = "";
    public string ApprovedBy { get; init; } = "";
    public string Reason { get; init; } = "";
}

/// <summary>The deletion step finished: copies removed, tombstones and events written.</summary>
public sealed record ItemDeleted
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public int CopiesRemoved { get; init; }
    public DateTimeOffset DeletedAt { get; init; }
}

/// <summary>Scheduled when a request starts waiting; if it arrives while still pending, the request expires.</summary>
public sealed record DeletionApprovalExpired
{
    public Guid RequestId { get; init; }
}

/// <summary>Scheduled while an approved request waits for the item lock (WaitingForItem): try to take it again.</summary>
public sealed record DeletionItemLockRetry
{
    public Guid RequestId { get; init; }
}
