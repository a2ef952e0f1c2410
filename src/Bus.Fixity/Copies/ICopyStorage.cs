namespace Bus.Fixity.Copies;

/// <summary>The object store as fixity sees it: read a copy as a stream, overwrite one copy from another.</summary>
public interface ICopyStorage
{
    /// <summary>A read stream of the object, or null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Server-side copy: the bytes never pass through this process.</summary>
    Task CopyAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CancellationToken cancellationToken);
}
