using Bus.Ingest.Data;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Ingest.Steps;

/// <summary>
/// Ingest's view of the copy kit: which bucket each copy role is, and copies from staging to those buckets
/// through the one <see cref="CopyWriter"/> with ingest's part sizes (<see cref="IngestOptions.MultipartCopyThresholdBytes"/>,
/// <see cref="IngestOptions.MultipartCopyPartBytes"/>) and its metadata replacing the staged object's.
/// </summary>
public sealed class PreservationCopier(CopyWriter writer, CopyRemover remover, IOptions<StorageOptions> storage, IOptions<IngestOptions> options)
{
    public string BucketFor(string role) => role == "primary" ? storage.Value.PrimaryBucket : storage.Value.ReplicaBucket;

    /// <summary>The buckets every preserved file must have a verified copy in (one per copy role).</summary>
    public IReadOnlyList<string> RequiredBuckets => [BucketFor("primary"), BucketFor("replica")];

    private CopyParts Parts => new(options.Value.MultipartCopyThresholdBytes, options.Value.MultipartCopyPartBytes);

    /// <summary>Copies a staged file to a preservation bucket in one go; returns the copy's ETag.</summary>
    public Task<string> CopyAsync(string stagingKey, string role, string key, long size, IDictionary<string, string> metadata, CancellationToken ct) =>
        writer.CopyAsync(new CopyObjectRef(storage.Value.StagingBucket, stagingKey), new CopyObjectRef(BucketFor(role), key), size, metadata, Parts, ct);

    /// <summary>A staged file's copy to a preservation bucket, resumable across slices (<see cref="CopyWriter.CopyAsync(CopyObjectRef, CopyObjectRef, long, IDictionary{string, string}?, CopyParts, CopyUploadCheckpoint?, Func{bool}, CancellationToken)"/>).</summary>
    public Task<CopyResult> CopyAsync(string stagingKey, string role, string key, long size, IDictionary<string, string> metadata,
        CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct) =>
        writer.CopyAsync(new CopyObjectRef(storage.Value.StagingBucket, stagingKey), new CopyObjectRef(BucketFor(role), key), size, metadata, Parts, from, shouldStop, ct);

    /// <summary>
    /// Aborts multipart copies of this ingest's large files that no checkpoint names: a process that
    /// died after starting one and before saving its first part leaves it behind. Preservation keys
    /// carry no ingest prefix, so each large file's key is asked about exactly (two requests a file,
    /// and only for files at or above the multipart threshold).
    /// </summary>
    public async Task<int> AbortCopyUploadsAsync(Guid ingestId, IEnumerable<InterimFileState> files, CancellationToken ct)
    {
        var aborted = 0;
        foreach (var file in files.Where(f => f.Size >= options.Value.MultipartCopyThresholdBytes))
            foreach (var role in new[] { "primary", "replica" })
                aborted += await remover.AbortUploadsAsync(BucketFor(role), ObjectKeys.PreservationFor(ingestId, file), ct, exactKey: true);
        return aborted;
    }
}
