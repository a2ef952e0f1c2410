namespace Bus.Contracts.Deletion;

// What happened to a deletion request, published for anyone who watches (notifications, audit).

public sealed record DeletionRequested
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string RequestedBy { get; init; } = "";
    public string Reason { get; init; } = "";
    public DateTimeOffset ExpiresAt { get; init; }
}

public sealed record DeletionApproved
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string ApprovedBy { get; init; } = "";
}

public sealed record DeletionRejected
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string RejectedBy { get; init; } = "";
    public string? Comment { get; init; }
}

public sealed record DeletionCancelled
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string CancelledBy { get; init; } = "";
}

/// <summary>No decision came within the approval window.</summary>
public sealed record DeletionExpired
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
}

/// <summary>Every copy is gone and the registry holds the tombstones and PREMIS deletion events.</summary>
public sealed record DeletionCompleted
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public int CopiesRemoved { get; init; }
    public DateTimeOffset DeletedAt { get; init; }
}

/// <summary>The deletion step kept failing; the item is not marked deleted. Replay the step's error queue after fixing the cause.</summary>
public sealed record DeletionFaulted
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string Reason { get; init; } = "";
}
