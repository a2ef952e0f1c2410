using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Re-reads every copy Store made (<see cref="IngestOptions.StepConcurrency"/> files at a time) and
/// recomputes its sha256 (not just its size). A mismatch
/// re-copies that file from staging, up to <see cref="IngestOptions.VerifyRecopyAttempts"/> times,
/// then fails the ingest. Verified marks are per copy, so a retry re-reads only unverified copies.
/// </summary>
public sealed class VerifyCopiesConsumer(InterimStore store, CopyReader reader, SlicedCopyReader sliced, ICopyReadSlices slices, PreservationCopier copier, IOptions<IngestOptions> options,
    ILogger<VerifyCopiesConsumer> logger)
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
        var total = await store.CountFilesAsync(id, InterimFiles.ToStore, run.CancellationToken) * StoreFilesConsumer.Roles.Length;
        var done = await store.CountFilesAsync(id, InterimFiles.ToStoreVerifiedInPrimary, run.CancellationToken)
                   + await store.CountFilesAsync(id, InterimFiles.ToStoreVerifiedInReplica, run.CancellationToken);
        var recopied = 0;
        string? failure = null;
        // One worker per file, both roles in turn: a file's re-copies never race each other.
        var pending = store.FileChunksAsync(id, InterimFiles.ToStoreNotYetVerified,
            StoreFilesConsumer.ChunkFiles, run.CancellationToken);
        var stopped = await ConcurrentFiles.RunAsync(pending, options.Value.StepConcurrency,
            () => ValueTask.FromResult(run.ShouldYield ? FileWorkStop.Yield : FileWorkStop.None),
            async (file, ct) =>
            {
                var recopies = file.Recopies;
                foreach (var role in StoreFilesConsumer.Roles)
                {
                    if ((role == "primary" ? file.PrimaryVerifiedAt : file.ReplicaVerifiedAt) is not null) continue;
                    var key = ObjectKeys.PreservationFor(id, file);
                    while (true)
                    {
                        var actual = await ReadSha256Async(id, file, role, key, run, ct);
                        if (actual is null) return FileWorkStop.Yield;
                        if (actual == file.Sha256)
                        {
                            await store.MarkVerifiedAsync(id, file.Path, role, CancellationToken.None);
                            if (Interlocked.Increment(ref done) % 50 == 0) await run.ProgressAsync(done, total);
                            break;
                        }
                        logger.LogWarning("Copy of {Path} in {Role} has sha256 {Actual}, expected {Expected} (re-copies so far {Recopies})",
                            file.Path, role, actual, file.Sha256, recopies);
                        if (recopies >= options.Value.VerifyRecopyAttempts)
                        {
                            Interlocked.CompareExchange(ref failure,
                                $"{file.Path}: the {role} copy's sha256 is {actual}, expected {file.Sha256}, after {recopies} re-copies", null);
                            return FileWorkStop.Failed;
                        }
                        var etag = await copier.CopyAsync(file.StagingKey, role, key, file.Size, StoreFilesConsumer.Metadata(id, file), ct);
                        await store.MarkStoredAsync(id, file.Path, role, etag, CancellationToken.None);
                        await store.CountRecopyAsync(id, file.Path, CancellationToken.None);
                        recopies++;
                        Interlocked.Increment(ref recopied);
                    }
                }
                return FileWorkStop.None;
            }, run.CancellationToken);
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

    private static readonly CopyReadSettings Sha256 = new(["sha256"], CopyReader.DefaultBlockBytes, MaxRestartsPerSlice: 3);

    /// <summary>
    /// The copy's sha256, or null when the slice ran out part-way through a large copy (the read's
    /// checkpoint is saved in the kit's store and the step continues in a new message). Copies under
    /// <see cref="SlicedReadMinBytes"/> are read in one go, without a checkpoint lookup per file.
    /// </summary>
    private async Task<string?> ReadSha256Async(Guid id, InterimFileState file, string role, string key, StepRun<VerifyCopies> run, CancellationToken ct)
    {
        var copy = new CopyObjectRef(copier.BucketFor(role), key);
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
