namespace Bus.Contracts.Restore;

/// <summary>
/// Asks for an object to be restored as a BagIt tar in its original profile (its tag files and manifests
/// plus a PREMIS events tag file), into the restore bucket under <c>&lt;institution&gt;/&lt;bag&gt;.tar</c>.
/// <see cref="RestoreId"/> is made once by the sender and names the restore; the same id sent again is
/// the same restore. <see cref="DestinationKey"/> (added for restore spot tests) puts the tar elsewhere in the
/// restore bucket: only a key under <c>spot-tests/&lt;institution&gt;/</c> ending in <c>.tar</c> is accepted.
/// </summary>
public sealed record RestoreObject(Guid RestoreId, string Identifier, string RequestedBy, DateTimeOffset RequestedAt, string? DestinationKey = null);

/// <summary>Asks for one file to be restored to <c>&lt;institution&gt;/files/&lt;file identifier path&gt;</c> in the restore bucket.</summary>
public sealed record RestoreFile(Guid RestoreId, string FileIdentifier, string RequestedBy, DateTimeOffset RequestedAt);
