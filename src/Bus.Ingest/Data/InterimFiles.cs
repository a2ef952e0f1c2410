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

    // Copy slots: "primary" holds a storage option's first copy, "replica" its second; a one-copy option uses only primary.

    /// <summary>Files to store with one of their <paramref name="copies"/> copies not yet written (what Store still has to do).</summary>
    public static InterimFiles ToStoreNotYetStored(int copies) => new($"{nameof(ToStoreNotYetStored)}({copies})",
        copies == 1 ? "store_needed AND primary_stored_at IS NULL" : "store_needed AND (primary_stored_at IS NULL OR replica_stored_at IS NULL)");

    /// <summary>Files to store with one of their <paramref name="copies"/> copies not yet verified (what Verify still has to do).</summary>
    public static InterimFiles ToStoreNotYetVerified(int copies) => new($"{nameof(ToStoreNotYetVerified)}({copies})",
        copies == 1 ? "store_needed AND primary_verified_at IS NULL" : "store_needed AND (primary_verified_at IS NULL OR replica_verified_at IS NULL)");

    /// <summary>Files Identify has not given a format yet.</summary>
    public static InterimFiles WithoutFormat { get; } = new(nameof(WithoutFormat), "format IS NULL");

    /// <summary>Files with a preservation copy written in either slot (what compensation must remove).</summary>
    public static InterimFiles WithAnyCopyWritten { get; } =
        new(nameof(WithAnyCopyWritten), "primary_stored_at IS NOT NULL OR replica_stored_at IS NOT NULL");

    /// <summary>Files of at least <paramref name="bytes"/> bytes.</summary>
    public static InterimFiles AtLeast(long bytes) => new($"{nameof(AtLeast)}({bytes})", "size >= @size", bytes);

    public override string ToString() => Name;
}
