namespace Bus.BagIt.Scanning;

/// <summary>A regular file of the bag with its four digests: one small record per file.</summary>
public sealed record BagFile(string Path, long Size, FileDigests Digests)
{
    public bool IsPayload => Path.StartsWith("data/", StringComparison.Ordinal);
}
