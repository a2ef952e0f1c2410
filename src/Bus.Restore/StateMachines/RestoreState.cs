using MassTransit;

namespace Bus.Restore.StateMachines;

/// <summary>One restore (<c>bus.restore_saga</c>); kept after it ends, so its result can be read (busctl restore show, the API).</summary>
public sealed class RestoreState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    /// <summary><see cref="RestoreKinds.OfObject"/> or <see cref="RestoreKinds.OfFile"/>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The object or file identifier asked for.</summary>
    public string Identifier { get; set; } = "";
    /// <summary>The object whose item lock the restore holds.</summary>
    public string ObjectIdentifier { get; set; } = "";
    public string Institution { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? LockedAt { get; set; }
    public int ItemLockWaits { get; set; }
    public int ColdPolls { get; set; }
    public int ColdPending { get; set; }
    public Guid? RetryTokenId { get; set; }
    public string? Bucket { get; set; }
    public string? Key { get; set; }
    public long? Size { get; set; }
    public int? Files { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Where the tar goes when the request named a destination (spot tests); null: <c>&lt;institution&gt;/&lt;bag&gt;.tar</c>.</summary>
    public string? DestinationKey { get; set; }
}

public static class RestoreKinds
{
    public const string OfObject = "object";
    public const string OfFile = "file";
}
