using MassTransit;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// One deletion request (table bus.deletion_requests). Kept after it ends: it is the record of who
/// asked, who decided, and why. created_at/updated_at and the row version are kept by the repository.
/// </summary>
public class DeletionState : SagaStateMachineInstance
{
    /// <summary>The request id, chosen by the requester's client.</summary>
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";

    public string Identifier { get; set; } = "";
    /// <summary>The object the identifier belongs to (the item lock's key); empty when the identifier is unknown.</summary>
    public string ObjectIdentifier { get; set; } = "";
    public string Institution { get; set; } = "";
    public bool IsFile { get; set; }

    public string RequestedBy { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public Guid? ApprovalTimeoutTokenId { get; set; }

    /// <summary>Who approved, rejected or cancelled, when, and their comment.</summary>
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionComment { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
    public int CopiesRemoved { get; set; }

    /// <summary>The latest refusal (of the request itself, or of a decision on it).</summary>
    public string? RefusalCode { get; set; }
    public string? RefusalReason { get; set; }
    /// <summary>Every refusal, one line each: time, action, by whom, code, reason.</summary>
    public string RefusalLog { get; set; } = "";

    /// <summary>
    /// Whether the request holds the object's item lock. Accepted while a restore held it, a request holds none
    /// until its approval takes it (WaitingForItem until the restore ends).
    /// </summary>
    public bool HoldsItemLock { get; set; } = true;
    /// <summary>Attempts to take the item lock after approval (WaitingForItem), and the scheduled next one.</summary>
    public int ItemLockWaits { get; set; }
    public Guid? ItemLockRetryTokenId { get; set; }
    /// <summary>Who held the item lock at the last attempt (while WaitingForItem, or when accepted without it).</summary>
    public string? WaitingFor { get; set; }

    /// <summary>Why the deletion step faulted (the step's exception), while Faulted.</summary>
    public string? FaultReason { get; set; }
}
