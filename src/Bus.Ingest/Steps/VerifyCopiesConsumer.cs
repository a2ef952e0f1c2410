using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Checks every copy Store made (<see cref="IngestOptions.StepConcurrency"/> files at a time). A hot copy is
/// re-read and its sha256 recomputed (not just its size). A cold copy (GLACIER, DEEP_ARCHIVE: S3 refuses its GET
/// until a restore) is checked by the SHA-256 checksum S3 computed when it stored it (HEAD with ChecksumMode
/// ENABLED), compared with the sha256 Unpack computed, or for a multipart copy with the composite of its parts'
/// digests (<see cref="CopyChecksums"/>), read from the staged file; its storage class is checked too. A mismatch
/// re-copies that file from staging, up to <see cref="IngestOptions.VerifyRecopyAttempts"/> times, then fails the
/// ingest. Verified marks are per copy (written in batches, <see cref="CopyMarks"/>), so a retry checks only unverified copies.
/// </summary>
public sealed class VerifyCopiesConsumer(InterimStore store, CopyReader reader, SlicedCopyReader sliced, ICopyReadSlices slices, CopyChecksums checksums,
    PreservationCopier copier, IOptions<StorageOptions> storage, IOptions<IngestOptions> options, ILogger<VerifyCopiesConsumer> logger)
    : IConsumer<VerifyCopies>
{
    /// <summary>At the slowest read rate measured here (~30 MB/s) a copy under this reads in about two seconds.</summary>
    public const long SlicedReadMinBytes = 64L * 1024 * 1024;

    public async Task Consume(ConsumeContext<VerifyCopies> context)
    {
        var id = context.Message.IngestId;
        var run = await IngestStep.BeginAsync(context, id, IngestSteps.Verify, options.Value.TimeSlice);
        var bag = await store.FindBagAsync(id, run.CancellationToken);
        if (bag is null || bag.CancelledAt is not null) return;
        var copies = copier.CopiesFor(bag.StorageOption);
        if (copies.Count == 0) throw new InvalidOperationException($"ingest {id}: storage option '{bag.StorageOption}' is not configured (Bus:Storage:Options)");
        var (count, done) = await store.CountCopiesAsync(id, InterimStore.CopyProgress.Verified, copies.Select(c => c.Slot), run.CancellationToken);
        var total = count * copies.Count;
        using var marks = new CopyMarks((m, ct) => store.MarkVerifiedAsync(id, m, ct));
        var recopied = 0;
        string? failure = null;
        // One worker per file, its copies in turn: a file's re-copies never race each other.
        var pending = store.FileChunksAsync(id, InterimFiles.ToStoreNotYetVerified(copies.Count),
            StoreFilesConsumer.ChunkFiles, run.CancellationToken);
        FileWorkStop stopped;
        try
        {
            stopped = await ConcurrentFiles.RunAsync(pending, options.Value.StepConcurrency,
                () => ValueTask.FromResult(run.ShouldYield ? FileWorkStop.Yield : FileWorkStop.None),
                async (file, ct) =>
                {
                    var recopies = file.Recopies;
                    foreach (var copy in copies)
                    {
                        if (file.VerifiedAt(copy.Slot) is not null) continue;
                        var role = copy.Slot;
                        var key = ObjectKeys.PreservationFor(id, file);
                        while (true)
                        {
                            var check = copy.IsCold ? await CheckColdAsync(file, copy, key, ct) : await CheckHotAsync(id, file, copy, key, run, ct);
                            if (check is null) return FileWorkStop.Yield;
                            if (check.Intact)
                            {
                                await marks.AddAsync(new CopyMark(file.Path, role, check.Checksum), file.Size);
                                // A sliced read's checkpoint is gone: its mark is written now, or a crash would read it all again.
                                if (file.Size >= SlicedReadMinBytes) await marks.FlushAsync();
                                if (Interlocked.Increment(ref done) % 50 == 0) await run.ProgressAsync(done, total);
                                break;
                            }
                            logger.LogWarning("Copy of {Path} in {Bucket} ({Role}): {Actual} (re-copies so far {Recopies})",
                                file.Path, copy.Bucket, role, check.Description, recopies);
                            if (recopies >= options.Value.VerifyRecopyAttempts)
                            {
                                Interlocked.CompareExchange(ref failure,
                                    $"{file.Path}: the {copy.Target.Name} copy in {copy.Bucket} {check.Description}, after {recopies} re-copies", null);
                                return FileWorkStop.Failed;
                            }
                            var etag = await copier.CopyAsync(file.StagingKey, copy, key, file.Size, StoreFilesConsumer.Metadata(id, file), ct);
                            await store.MarkStoredAsync(id, file.Path, role, etag, CancellationToken.None);
                            await store.CountRecopyAsync(id, file.Path, CancellationToken.None);
                            recopies++;
                            Interlocked.Increment(ref recopied);
                        }
                    }
                    return FileWorkStop.None;
                }, run.CancellationToken);
        }
        finally
        {
            // Every copy read and found intact is marked before the step reports, continues or fails.
            await marks.FlushAsync();
        }
        switch (stopped)
        {
            case FileWorkStop.Failed:
                await run.FailAsync("copy-mismatch", failure!);
                return;
            case FileWorkStop.Yield:
                await run.ContinueAsync();
                return;
        }
        await context.Publish(new CopiesVerified(id, total, recopied, DateTimeOffset.UtcNow));
    }

    /// <summary>What checking one copy found: intact or not (described for the log and the failure), and S3's checksum when checked by it.</summary>
    private sealed record CopyCheck(bool Intact, string Description, string? Checksum = null);

    private async Task<CopyCheck?> CheckHotAsync(Guid id, InterimFileState file, PreservationCopy copy, string key, StepRun<VerifyCopies> run, CancellationToken ct)
    {
        var actual = await ReadSha256Async(id, file, copy, key, run, ct);
        if (actual is null) return null;
        return actual == file.Sha256 ? new CopyCheck(true, "sha256 matches") : new CopyCheck(false, $"has sha256 {actual}, expected {file.Sha256}");
    }

    /// <summary>
    /// A cold copy without reading it: S3's checksum against the one expected from Unpack's sha256 (or, for a
    /// multipart copy, the composite computed from the staged file, whose whole sha256 must be Unpack's too), and the
    /// storage class S3 reports against the option's.
    /// </summary>
    private async Task<CopyCheck> CheckColdAsync(InterimFileState file, PreservationCopy copy, string key, CancellationToken ct)
    {
        var head = await checksums.HeadAsync(copy.Bucket, key, ct) ?? throw new CopyMissingException(copy.Bucket, key);
        if ((head.StorageClass ?? StorageClasses.Standard) != copy.Target.StorageClass)
            return new CopyCheck(false, $"has storage class {head.StorageClass ?? StorageClasses.Standard}, expected {copy.Target.StorageClass}");
        string expected;
        if (file.Size < options.Value.MultipartCopyThresholdBytes) expected = CopyChecksums.FromHex(file.Sha256);
        else
        {
            var staged = await checksums.CompositeFromSourceAsync(storage.Value.StagingBucket, file.StagingKey, file.Size, copier.Parts.PartBytes, ct)
                ?? throw new CopyMissingException(storage.Value.StagingBucket, file.StagingKey);
            if (staged.Sha256Hex != file.Sha256)
                throw new StagedFileChangedException($"{storage.Value.StagingBucket}/{file.StagingKey} has sha256 {staged.Sha256Hex}, Unpack computed {file.Sha256}");
            expected = staged.Composite;
        }
        return CopyChecksums.Matches(expected, head.ChecksumSha256)
            ? new CopyCheck(true, "S3 checksum matches", head.ChecksumSha256)
            : new CopyCheck(false, $"has S3 sha256 checksum {head.ChecksumSha256 ?? "(none)"}, expected {expected}");
    }

    private static readonly CopyReadSettings Sha256 = new(["sha256"], CopyReader.DefaultBlockBytes, MaxRestartsPerSlice: 3);

    /// <summary>
    /// The copy's sha256, or null when the slice ran out part-way through a large copy (the read's
    /// checkpoint is saved in the kit's store and the step continues in a new message). Copies under
    /// <see cref="SlicedReadMinBytes"/> are read in one go, without a checkpoint lookup per file.
    /// </summary>
    private async Task<string?> ReadSha256Async(Guid id, InterimFileState file, PreservationCopy target, string key, StepRun<VerifyCopies> run, CancellationToken ct)
    {
        var role = target.Slot;
        var copy = new CopyObjectRef(target.Bucket, key);
        if (file.Size < SlicedReadMinBytes)
            return (await reader.DigestAsync(copy.Bucket, copy.Key, Sha256.Algorithms, Sha256.BlockBytes, ct) ?? throw new CopyMissingException(copy.Bucket, copy.Key)).Digests["sha256"];
        var readId = ReadId(id, file.Path, role);
        switch (await sliced.ReadAsync(readId, id, $"Verify of {id}: {file.Path} ({role})", copy, Sha256, () => run.ShouldYield, () => run.HostIsStopping, reuseDone: false, ct))
        {
            case SlicedRead.Done { Digest: null }:
                await slices.ForgetAsync(readId, CancellationToken.None);
                throw new CopyMissingException(copy.Bucket, copy.Key);
            case SlicedRead.Done done:
                // Whatever the verdict, a re-copy is read from byte 0 again.
                await slices.ForgetAsync(readId, CancellationToken.None);
                return done.Digest.Digests["sha256"];
            default:
                // Paused, or another delivery recorded this slice first: either way this message's share is done.
                return null;
        }
    }

    /// <summary>The read id of Verify's read of one copy (ingest, path, role): the same in every slice and process.</summary>
    public static Guid ReadId(Guid ingestId, string path, string role) =>
        Bus.Contracts.Ingest.IngestIds.NameBased(ingestId, $"verify-read\n{role}\n{path}");
}

public sealed class VerifyCopiesConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<VerifyCopiesConsumer>(options, q => q.Verify, 4);

/// <summary>The staged file no longer has the sha256 Unpack computed: nothing can be proven from it (fatal).</summary>
public sealed class StagedFileChangedException(string message) : Exception(message);
