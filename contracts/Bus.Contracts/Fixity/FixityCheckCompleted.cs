namespace Bus.Contracts.Fixity;

/// <summary>
/// A check ended. <see cref="Outcome"/> is one of <see cref="FixityOutcomes"/>; a Failed check (a step
/// faulted after its retries) can still finish when its message is replayed from the error queue.
/// </summary>
public sealed record FixityCheckCompleted(
    Guid CheckId, long StorageRecordId, string FileIdentifier, string Bucket, string Outcome, string Detail, DateTimeOffset CompletedAt);

public static class FixityOutcomes
{
    public const string Intact = "intact";
    public const string Repaired = "repaired";
    public const string Lost = "lost";
    public const string Failed = "failed";
    /// <summary>The copy is damaged but its object is locked by another workflow (a deletion): not repaired, check it again later.</summary>
    public const string Deferred = "deferred";

    /// <summary>Outcomes that leave every copy good (busctl fixity check exits 0).</summary>
    public static bool IsGood(string outcome) => outcome is Intact or Repaired;
}
