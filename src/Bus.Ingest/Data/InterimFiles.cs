namespace Bus.Ingest.Data;

/// <summary>
/// The named sets of an ingest's interim files that steps read or count (<see cref="InterimStore.FilesAsync"/>,
/// <see cref="InterimStore.FileChunksAsync"/>, <see cref="InterimStore.CountFilesAsync"/>). The SQL stays
/// here, beside the table, so callers name what they want and cannot pass SQL; sizes are parameters.
/// </summary>
public sealed class InterimFiles
{
    private InterimFiles(string name, string where, long? size = null) => (Name, Where, Size) = (name, where, size);

    /// <summary>For logs and test output.</summary>
    public string Name { get; }

    /// <summary>A condition over bus.ingest_files columns; <c>@size</c> is bound to <see cref="Size"/>.</summary>
    internal string Where { get; }

    internal long? Size { get; }

    public static InterimFiles All { get; } = new(nameof(All), "true");

    /// <summary>Files this ingest must store (every file of a first ingest; a reingest's new or changed ones).</summary>
    public static InterimFiles ToStore { get; } = new(nameof(ToStore), "store_needed");

    public static InterimFiles ToStoreStoredInPrimary { get; } = new(nameof(ToStoreStoredInPrimary), "store_needed AND primary_stored_at IS NOT NULL");
    public static InterimFiles ToStoreStoredInReplica { get; } = new(nameof(ToStoreStoredInReplica), "store_needed AND replica_stored_at IS NOT NULL");

    /// <summary>Files to store with a copy not yet written in one of the buckets (what Store still has to do).</summary>
    public static InterimFiles ToStoreNotYetStored { get; } =
        new(nameof(ToStoreNotYetStored), "store_needed AND (primary_stored_at IS NULL OR replica_stored_at IS NULL)");

    public static InterimFiles ToStoreVerifiedInPrimary { get; } = new(nameof(ToStoreVerifiedInPrimary), "store_needed AND primary_verified_at IS NOT NULL");
    public static InterimFiles ToStoreVerifiedInReplica { get; } = new(nameof(ToStoreVerifiedInReplica), "store_needed AND replica_verified_at IS NOT NULL");

    /// <summary>Files to store with a copy not yet verified in one of the buckets (what Verify still has to do).</summary>
    public static InterimFiles ToStoreNotYetVerified { get; } =
        new(nameof(ToStoreNotYetVerified), "store_needed AND (primary_verified_at IS NULL OR replica_verified_at IS NULL)");

    /// <summary>Files Identify has not given a format yet.</summary>
    public static InterimFiles WithoutFormat { get; } = new(nameof(WithoutFormat), "format IS NULL");

    /// <summary>Files with a preservation copy written in either bucket (what compensation must remove).</summary>
    public static InterimFiles WithAnyCopyWritten { get; } =
        new(nameof(WithAnyCopyWritten), "primary_stored_at IS NOT NULL OR replica_stored_at IS NOT NULL");

    /// <summary>Files of at least <paramref name="bytes"/> bytes.</summary>
    public static InterimFiles AtLeast(long bytes) => new($"{nameof(AtLeast)}({bytes})", "size >= @size", bytes);

    public override string ToString() => Name;
}
