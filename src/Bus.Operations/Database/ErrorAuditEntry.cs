namespace Bus.Operations.Database;

/// <summary>One operator action on one error-queue message (or one purge): who, when, what, with what result.</summary>
public sealed class ErrorAuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    /// <summary>replay, archive, restore or purge.</summary>
    public string Action { get; set; } = "";
    public string Queue { get; set; } = "";
    public string? MessageId { get; set; }
    public string? Target { get; set; }
    /// <summary>publishing (started; stays so only if the replay was interrupted), replayed, failed, archived, restored, purged.</summary>
    public string Outcome { get; set; } = "";
    public string? Detail { get; set; }
}
