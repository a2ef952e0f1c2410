namespace Bus.Contracts.Deletion;

/// <summary>The request or decision was taken; <see cref="State"/> is the deletion's state after it.</summary>
public sealed record DeletionAccepted
{
    public Guid RequestId { get; init; }
    public string Identifier { get; init; } = "";
    public string State { get; init; } = "";
}

/// <summary>
/// The request or decision was refused and changed nothing (besides the refusal being recorded).
/// <see cref="Code"/> is stable for scripts (<see cref="DeletionRefusalCodes"/>); <see cref="Reason"/> is for people.
/// </summary>
public sealed record DeletionRefused
{
    public Guid RequestId { get; init; }
    public string Code { get; init; } = "";
    public string Reason { get; init; } = "";
}

public static class DeletionRefusalCodes
{
    public const string InvalidRequest = "invalid-request";
    public const string UnknownIdentifier = "unknown-identifier";
    public const string AlreadyDeleted = "already-deleted";
    public const string WorkInProgress = "work-in-progress";
    public const string RetentionPeriod = "retention-period";
    public const string UnknownUser = "unknown-user";
    public const string OtherInstitution = "other-institution";
    public const string NotAdmin = "not-admin";
    public const string SelfApproval = "self-approval";
    public const string NotRequester = "not-requester";
    public const string NotPending = "not-pending";
    public const string UnknownRequest = "unknown-request";
}
