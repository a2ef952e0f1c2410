namespace Bus.Fixity.StateMachines.Messages;

// Internal: the fixity check saga and its steps exchange these; no integrator sends or reads them, so they
// live beside the workflow and may change with it (contracts/Bus.Contracts/README.md).

/// <summary>The check's first step: stream the copy, digest it, compare with the ingest digests, record the outcome.</summary>
public sealed record VerifyCopy(Guid CheckId, long StorageRecordId);

/// <summary>
/// The copy was read (or found missing) and the outcome recorded. <see cref="Condition"/> is one of
/// <see cref="CopyConditions"/>; digests are keyed by algorithm (lower-case hex).
/// </summary>
public sealed record CopyVerified(
    Guid CheckId, long StorageRecordId, string FileIdentifier, string Bucket, string Key, string Condition,
    IReadOnlyDictionary<string, string> Expected, IReadOnlyDictionary<string, string> Actual);

public static class CopyConditions
{
    public const string Intact = "intact";
    public const string Mismatch = "mismatch";
    public const string Missing = "missing";
}
