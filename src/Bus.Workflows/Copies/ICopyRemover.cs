namespace Bus.Workflows.Copies;

/// <summary>
/// Removes objects (copies, staged objects). A key already gone counts as removed; anything else that
/// fails throws, so a caller never records as removed a copy that may still exist.
/// </summary>
public interface ICopyRemover
{
    /// <summary>Removes one object.</summary>
    Task RemoveAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Removes several objects of one bucket with batched DeleteObjects (up to 1,000 keys a request). Throws
    /// <see cref="CopiesNotRemovedException"/> naming every key S3 refused, after trying them all.
    /// </summary>
    Task RemoveManyAsync(string bucket, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>Some keys of a batched delete were refused (per-key errors of DeleteObjects): the rest are gone.</summary>
public sealed class CopiesNotRemovedException(string bucket, IReadOnlyList<(string Key, string Code, string Message)> errors)
    : Exception($"{errors.Count} object(s) in {bucket} could not be deleted: " +
                string.Join("; ", errors.Take(5).Select(e => $"{e.Key}: {e.Code} {e.Message}")) + (errors.Count > 5 ? "; …" : ""))
{
    public IReadOnlyList<(string Key, string Code, string Message)> Errors { get; } = errors;
}
