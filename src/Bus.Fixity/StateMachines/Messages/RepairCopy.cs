using Bus.Contracts.Fixity;

namespace Bus.Fixity.StateMachines.Messages;

// Internal: the fixity check saga and its steps exchange these; no integrator sends or reads them, so they
// live beside the workflow and may change with it (contracts/Bus.Contracts/README.md).

/// <summary>The repair step: find another copy that verifies now and copy it over the damaged one.</summary>
public sealed record RepairCopy(Guid CheckId, long StorageRecordId, string Condition);

/// <summary>The damaged copy was overwritten from <see cref="SourceBucket"/> and verified again.</summary>
public sealed record CopyRepaired(Guid CheckId, long StorageRecordId, string SourceBucket, string Sha256);

/// <summary>No other copy verifies: nothing was overwritten and an alert was raised.</summary>
public sealed record CopyLost(Guid CheckId, long StorageRecordId, string Reason);

/// <summary>
/// The repair did not run because another workflow (a deletion, an ingest) holds the object's item lock:
/// nothing was read, copied or alerted. The check ends <see cref="FixityOutcomes.Deferred"/>.
/// </summary>
public sealed record CopyRepairDeferred(Guid CheckId, long StorageRecordId, string Reason);
