namespace Bus.Restore.SpotTests;

// Internal: the spot test saga and its steps exchange these (contracts/Bus.Contracts/README.md). They carry the
// spot test id only: a step reads what to do from the saga's row.

/// <summary>Read the restored tar from the restore bucket, validate it as a bag and compare every file with the registry.</summary>
public sealed record ValidateSpotTest(Guid SpotTestId);

/// <summary>The restored bag is valid and every file's digests are the registry's (<see cref="Passed"/>), or why not.</summary>
public sealed record SpotTestValidated(Guid SpotTestId, bool Passed, string? Reason);

/// <summary>Delete the restored copy and, for a failed spot test, raise the <c>spot-test-failed</c> alert.</summary>
public sealed record FinishSpotTest(Guid SpotTestId);

public sealed record SpotTestCleanedUp(Guid SpotTestId);

/// <summary>Scheduled when the restore is asked for: the restore has not ended within <see cref="SpotTestOptions.SpotTestTimeout"/>.</summary>
public sealed record SpotTestRestoreTimedOut(Guid SpotTestId);
