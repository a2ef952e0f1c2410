using Bus.Ingest.Data;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Steps;

/// <summary>One copy a storage option keeps, in the interim slot ingest tracks it in.</summary>
public sealed record PreservationCopy(string Slot, StorageCopyTarget Target)
{
    public string Bucket => Target.Bucket;
    public bool IsCold => Target.IsCold;

    /// <summary>How the copy is written: its storage class, with S3's SHA-256 checksum so the server confirms what it stored.</summary>
    public CopyWriteOptions Write => new(Target.StorageClass, Sha256Checksum: true);
}

/// <summary>
/// Ingest's view of the copy kit and of the storage options (<see cref="StorageOptions.EffectiveOptions"/>): which
/// copies an option keeps, each in an interim slot (the first copy in "primary", the second in "replica": the slot
/// model of docs/ingest.md), and copies from staging to those buckets through the one <see cref="CopyWriter"/> with
/// ingest's part sizes (<see cref="IngestOptions.MultipartCopyThresholdBytes"/>, <see cref="IngestOptions.MultipartCopyPartBytes"/>),
/// each copy's storage class and S3's SHA-256 checksum, and its metadata replacing the staged object's.
/// </summary>
public sealed class PreservationCopier(CopyWriter writer, CopyRemover remover, IOptions<StorageOptions> storage, IOptions<IngestOptions> options)
{
    public static readonly string[] Slots = ["primary", "replica"];

    /// <summary>Whether <paramref name="option"/> is a configured storage option.</summary>
    public bool IsKnown(string option) => storage.Value.CopiesOf(option) is not null;

    /// <summary>The configured storage option names, for messages.</summary>
    public IEnumerable<string> OptionNames => storage.Value.EffectiveOptions.Keys.Order(StringComparer.Ordinal);

    /// <summary>The option's copies, each in its slot; empty for an unknown option (nothing can have been stored under one).</summary>
    public IReadOnlyList<PreservationCopy> CopiesFor(string? option) =>
        option is not null && storage.Value.CopiesOf(option) is { } copies
            ? copies.Select((c, i) => new PreservationCopy(Slots[i], c)).ToList()
            : [];

    public PreservationCopy CopyFor(string? option, string slot) =>
        CopiesFor(option).FirstOrDefault(c => c.Slot == slot) ?? throw new InvalidOperationException($"storage option '{option}' has no copy in slot {slot}");

    /// <summary>The buckets every preserved file of an object under <paramref name="option"/> must have a verified copy in.</summary>
    public IReadOnlyList<string> RequiredBuckets(string? option) => CopiesFor(option).Select(c => c.Bucket).ToList();

    public CopyParts Parts => new(options.Value.MultipartCopyThresholdBytes, options.Value.MultipartCopyPartBytes);

    /// <summary>Copies a staged file to a preservation copy in one go; returns the copy's ETag.</summary>
    public Task<string> CopyAsync(string stagingKey, PreservationCopy copy, string key, long size, IDictionary<string, string> metadata, CancellationToken ct) =>
        writer.CopyAsync(new CopyObjectRef(storage.Value.StagingBucket, stagingKey), new CopyObjectRef(copy.Bucket, key), size, metadata, Parts, copy.Write, ct);

    /// <summary>A staged file's copy to a preservation copy, resumable across slices (<see cref="CopyWriter.CopyAsync(CopyObjectRef, CopyObjectRef, long, IDictionary{string, string}?, CopyParts, CopyWriteOptions, CopyUploadCheckpoint?, Func{bool}, CancellationToken)"/>).</summary>
    public Task<CopyResult> CopyAsync(string stagingKey, PreservationCopy copy, string key, long size, IDictionary<string, string> metadata,
        CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct) =>
        writer.CopyAsync(new CopyObjectRef(storage.Value.StagingBucket, stagingKey), new CopyObjectRef(copy.Bucket, key), size, metadata, Parts, copy.Write, from, shouldStop, ct);

    /// <summary>
    /// Aborts multipart copies of this ingest's large files that no checkpoint names: a process that
    /// died after starting one and before saving its first part leaves it behind. Preservation keys
    /// carry no ingest prefix, so each large file's key is asked about exactly (two requests a file and copy,
    /// and only for files at or above the multipart threshold).
    /// </summary>
    public async Task<int> AbortCopyUploadsAsync(Guid ingestId, string? option, IEnumerable<InterimFileState> files, CancellationToken ct)
    {
        var aborted = 0;
        foreach (var file in files.Where(f => f.Size >= options.Value.MultipartCopyThresholdBytes))
            foreach (var copy in CopiesFor(option))
                aborted += await remover.AbortUploadsAsync(copy.Bucket, ObjectKeys.PreservationFor(ingestId, file), ct, exactKey: true);
        return aborted;
    }
}
