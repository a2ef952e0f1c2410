namespace Bus.BagIt.Scanning;

/// <summary>
/// Where root-level tag files a scan did not keep in memory are read back from (ingest: the staged
/// copies). With one in <see cref="BagScanOptions.TagSource"/>, a scan keeps in its state only tag files
/// (manifests included) that fit <see cref="BagScanOptions.InlineTagBytes"/> together: a time-sliced
/// Unpack's checkpoint stays small whatever the manifests weigh, and the validator streams the rest.
/// </summary>
public interface ITagFileSource
{
    /// <summary>
    /// Opens <paramref name="file"/> for reading from its first byte. The stream must give exactly the
    /// bytes the scan hashed: an implementation checks them against <see cref="BagFile.Digests"/>
    /// and throws rather than return other bytes.
    /// </summary>
    Task<Stream> OpenAsync(BagFile file, CancellationToken cancellationToken);
}
