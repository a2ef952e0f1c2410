namespace Bus.Workflows.Copies;

/// <summary>The version of an object a read started on: a later slice reads only this version.</summary>
public sealed record CopyVersion(string ETag, long Size);

/// <summary>An open read of a copy from some offset to its end, and the version it reads.</summary>
public sealed record CopyRead(Stream Body, CopyVersion Version) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Body.DisposeAsync();
}

/// <summary>The object was replaced since a check began reading it: its bytes must not be mixed with the old ones.</summary>
public sealed class CopyChangedException(string message) : Exception(message);

/// <summary>
/// The object store as <see cref="CopyReader"/> and a repair see it: read a copy (from an offset, pinned to a
/// version), overwrite one copy from another. The seam the fast tests fake.
/// </summary>
public interface ICopyStorage
{
    /// <summary>
    /// Reads the object from <paramref name="offset"/> to its end, or null when it does not exist. With
    /// <paramref name="version"/> the read is conditional on that ETag (and size), and throws
    /// <see cref="CopyChangedException"/> when the object is another version now; without, it reads the
    /// whole object and reports its version.
    /// </summary>
    Task<CopyRead?> OpenReadAsync(string bucket, string key, long offset, CopyVersion? version, CancellationToken cancellationToken);

    /// <summary>
    /// Server-side copy of the whole object (<see cref="CopyWriter.CopyWholeAsync"/>): the bytes never pass through this
    /// process; the target is written with <paramref name="write"/>'s storage class and checksum.
    /// </summary>
    Task CopyAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CopyWriteOptions write, CancellationToken cancellationToken);

    /// <summary>The object's size, ETag, S3 SHA-256 checksum and storage class without reading it (<see cref="CopyChecksums.HeadAsync"/>), or null when it does not exist.</summary>
    Task<CopyAttributes?> HeadAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Whether the copy can be read now: hot, cold and restored, cold with a restore running, cold, or missing (<see cref="CopyTemperature.ReadinessAsync"/>).</summary>
    Task<CopyReadiness> ReadinessAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Asks S3 to make a cold copy readable for <paramref name="days"/> days at retrieval <paramref name="tier"/> (<see cref="CopyTemperature.RequestRestoreAsync"/>).</summary>
    Task RequestRestoreAsync(string bucket, string key, string tier, int days, CancellationToken cancellationToken);
}

/// <summary>A copy a workflow wrote and must read back is not there (fatal: another attempt would not find it either).</summary>
public sealed class CopyMissingException(string bucket, string key) : Exception($"{bucket}/{key} does not exist");
