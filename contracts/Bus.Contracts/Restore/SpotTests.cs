namespace Bus.Contracts.Restore;

/// <summary>
/// Asks for a restore spot test of one institution: a random active object under the size limit is restored to
/// <c>spot-tests/&lt;institution&gt;/</c> in the restore bucket, validated as a bag, compared with the registry, and
/// the copy deleted. The scheduler's sweep and <c>busctl spot-tests run</c> send it; <see cref="SpotTestId"/> is made
/// once by the sender and names the spot test (and its restore); the same id again is the same spot test.
/// </summary>
public sealed record RunSpotTest(Guid SpotTestId, string Institution, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>A spot test ended: <see cref="Outcome"/> is one of <see cref="SpotTestOutcomes"/>; <see cref="Reason"/> says why it did not pass.</summary>
public sealed record SpotTestFinished(Guid SpotTestId, string Institution, string? ObjectIdentifier, string Outcome, string? Reason, DateTimeOffset FinishedAt);

public static class SpotTestOutcomes
{
    /// <summary>Restored, valid, every digest as the registry holds it; the restored copy deleted.</summary>
    public const string Passed = "passed";
    /// <summary>The restore failed, the bag did not validate, or a digest differs; a <c>spot-test-failed</c> alert is raised.</summary>
    public const string Failed = "failed";
    /// <summary>The institution had no active object under the size limit: nothing restored, no alert.</summary>
    public const string Skipped = "skipped";
}
