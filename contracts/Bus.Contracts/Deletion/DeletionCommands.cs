namespace Bus.Contracts.Deletion;

// What people ask of the deletion workflow. Each is a request: the answer is DeletionAccepted or
// DeletionRefused, so the CLI can tell the person why. RequestId is chosen by the caller (busctl
// makes a new one per request) and identifies the deletion from then on.

/// <summary>Asks to delete an object (<c>institution/bag</c>) or one file (<c>institution/bag/data/x</c>).</summary>
public sealed record RequestDeletion
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    /// <summary>Email of the person asking; they may not approve their own request.</summary>
    public string RequestedBy { get; init; } = "";
    public string Reason { get; init; } = "";
}

/// <summary>An institutional admin of the item's institution, not the requester, approves: deletion starts.</summary>
public sealed record ApproveDeletion
{
    public Guid RequestId { get; init; }
    public string By { get; init; } = "";
    public string? Comment { get; init; }
}

/// <summary>An institutional admin of the item's institution rejects the request: nothing is deleted.</summary>
public sealed record RejectDeletion
{
    public Guid RequestId { get; init; }
    public string By { get; init; } = "";
    public string? Comment { get; init; }
}

/// <summary>The requester withdraws the request while it waits for approval.</summary>
public sealed record CancelDeletion
{
    public Guid RequestId { get; init; }
    public string By { get; init; } = "";
    public string? Comment { get; init; }
}
