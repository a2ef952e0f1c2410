using MassTransit;

namespace Bus.Restore.SpotTests;

/// <summary>
/// One restore spot test (<c>bus.spot_test_saga</c>), kept after it ends: its row is the record of the outcome
/// (busctl spot-tests list). Its id is also the id of the restore it asks for.
/// </summary>
public sealed class SpotTestState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public string Institution { get; set; } = "";
    /// <summary><c>sweep@host</c> or <c>busctl@user</c>.</summary>
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The object picked (at random, seeded by the id: the same spot test always picks the same one).</summary>
    public string? ObjectIdentifier { get; set; }
    public long? ObjectBytes { get; set; }
    public string? RestoreBucket { get; set; }
    public string? RestoreKey { get; set; }
    /// <summary>One of <see cref="Bus.Contracts.Restore.SpotTestOutcomes"/> once known.</summary>
    public string? Outcome { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The scheduled <see cref="SpotTestRestoreTimedOut"/> while the restore runs.</summary>
    public Guid? TimeoutTokenId { get; set; }
}
