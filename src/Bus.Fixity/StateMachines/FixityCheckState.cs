using MassTransit;

namespace Bus.Fixity.StateMachines;

/// <summary>One copy's check in flight. The correlation id is <see cref="FixityIds.ForCopy"/> of the storage record.</summary>
public sealed class FixityCheckState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    /// <summary>The current check (the instance is reused by the next check of the same copy after a failure).</summary>
    public Guid CheckId { get; set; }
    public long StorageRecordId { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public string? FileIdentifier { get; set; }
    public string? Bucket { get; set; }
    /// <summary>intact, mismatch or missing, from the first read.</summary>
    public string? Condition { get; set; }
    public string? Detail { get; set; }
    public string? RepairSource { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>Polls of a cold copy being restored in this check (reset when the check starts).</summary>
    public int ColdPolls { get; set; }
    /// <summary>The scheduled <c>ColdRestorePoll</c>'s token while one is due.</summary>
    public Guid? RetryTokenId { get; set; }
}
