namespace Bus.Operations.ErrorQueues;

/// <summary>What a replay (or its dry run) did to each selected message.</summary>
public sealed record ReplayReport(string Queue, bool DryRun, int Scanned, bool Truncated, IReadOnlyList<ReplayedMessage> Messages)
{
    public int Replayed => Messages.Count(m => m.Outcome == ReplayOutcome.Replayed);
    public int Failed => Messages.Count(m => m.Outcome == ReplayOutcome.Failed);
}

/// <param name="Position">0-based position in the error queue when scanned.</param>
/// <param name="Target">The queue the copy goes to.</param>
public sealed record ReplayedMessage(int Position, string? MessageId, string? Target, ReplayOutcome Outcome, string? Detail);

public enum ReplayOutcome
{
    /// <summary>Dry run: would be replayed to Target.</summary>
    WouldReplay,
    /// <summary>Copy confirmed by the broker in Target, then removed from the error queue.</summary>
    Replayed,
    /// <summary>Left in the error queue (see Detail).</summary>
    Failed,
}
