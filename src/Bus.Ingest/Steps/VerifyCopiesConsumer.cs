using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
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
public sealed class VerifyCopiesConsumer(InterimStore store, CopyCheckpoints checkpoints, PreservationCopier copier, IOptions<IngestOptions> options,
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

    /// <summary>
    /// The copy's sha256, or null when the slice ran out part-way through a large copy (the read's
    /// checkpoint is saved and the step continues in a new message). Copies under
    /// <see cref="SlicedReadMinBytes"/> are read in one go, without a checkpoint lookup per file.
    /// </summary>
    private async Task<string?> ReadSha256Async(Guid id, InterimFileState file, string role, string key, StepRun<VerifyCopies> run, CancellationToken ct)
    {
        var bucket = copier.BucketFor(role);
        if (file.Size < SlicedReadMinBytes)
            return ((CopySha256Read.Done)await copier.ReadSha256Async(bucket, key, null, () => false, ct)).Sha256;
        var from = await checkpoints.LoadReadAsync(id, file.Path, role, ct);
        switch (await copier.ReadSha256Async(bucket, key, from, () => run.ShouldYield, ct))
        {
            case CopySha256Read.Paused paused:
                await checkpoints.SaveReadAsync(id, file.Path, role, paused.Checkpoint, CancellationToken.None);
                logger.LogInformation("Verify of {IngestId}: {Path} ({Role}) read to byte {Offset} of {Size}; continuing in the next slice",
                    id, file.Path, role, paused.Checkpoint.Offset, file.Size);
                return null;
            case CopySha256Read.Done done:
                // Whatever the verdict, a re-copy is read from byte 0 again.
                if (from is not null) await checkpoints.ClearReadAsync(id, file.Path, role, CancellationToken.None);
                return done.Sha256;
            default:
                throw new InvalidOperationException("unknown read result");
        }
    }
}

public sealed class VerifyCopiesConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<VerifyCopiesConsumer>(options, q => q.Verify, 4);
