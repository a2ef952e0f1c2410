using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Platform.Storage;
using Bus.Workflows.Copies;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Copies each file that needs storing from staging to every copy of the bag's storage option (server-side,
/// each copy with its S3 storage class and S3's SHA-256 checksum; <see cref="IngestOptions.StepConcurrency"/> files at a time),
/// keyed by file UUID (a reingest's changed file by UUID/ingest id, never over the recorded version: see
/// <see cref="ObjectKeys"/>) with ingest id, file id and sha256 as user metadata. Each copy is marked stored
/// (in batches, <see cref="CopyMarks"/>) once it exists, so a retry, a continuation or another process after
/// a crash copies only what is missing.
/// </summary>
public sealed class StoreFilesConsumer(InterimStore store, CopyCheckpoints checkpoints, PreservationCopier copier, IOptions<IngestOptions> options,
    ILogger<StoreFilesConsumer> logger) : IConsumer<StoreFiles>
{
    /// <summary>Rows read per query: the step never holds a large bag's file list.</summary>
    public const int ChunkFiles = 500;

    public async Task Consume(ConsumeContext<StoreFiles> context)
    {
        var id = context.Message.IngestId;
        var run = await IngestStep.BeginAsync(context, id, IngestSteps.Store, options.Value.TimeSlice);
        var bag = await store.FindBagAsync(id, run.CancellationToken);
        if (bag is null || bag.CancelledAt is not null) return;
        var copies = copier.CopiesFor(bag.StorageOption);
        if (copies.Count == 0) throw new InvalidOperationException($"ingest {id}: storage option '{bag.StorageOption}' is not configured (Bus:Storage:Options)");
        var (count, done) = await store.CountCopiesAsync(id, InterimStore.CopyProgress.Stored, copies.Select(c => c.Slot), run.CancellationToken);
        var total = count * copies.Count;
        using var marks = new CopyMarks((m, ct) => store.MarkStoredAsync(id, m, ct));
        var cancel = new CancelWatch(ct => new ValueTask<bool>(store.IsCancelledAsync(id, ct)));
        var pending = store.FileChunksAsync(id, InterimFiles.ToStoreNotYetStored(copies.Count), ChunkFiles, run.CancellationToken);
        FileWorkStop stopped;
        try
        {
            stopped = await ConcurrentFiles.RunAsync(pending, options.Value.StepConcurrency,
                async () => run.ShouldYield ? FileWorkStop.Yield
                    // A cancel arriving mid-step: stop; compensation removes what was copied.
                    : await cancel.IsCancelledAsync(run.CancellationToken) ? FileWorkStop.Cancelled
                    : FileWorkStop.None,
                async (file, ct) =>
                {
                    foreach (var copy in copies)
                    {
                        if (file.StoredAt(copy.Slot) is not null) continue;
                        var etag = await CopyAsync(id, bag, file, copy, run, ct);
                        if (etag is null) return FileWorkStop.Yield;
                        await marks.AddAsync(new CopyMark(file.Path, copy.Slot, etag), file.Size);
                        // A multipart copy's checkpoint is gone: its mark is written now, or a crash would copy it all again.
                        if (file.Size >= options.Value.MultipartCopyThresholdBytes) await marks.FlushAsync();
                        if (Interlocked.Increment(ref done) % 50 == 0) await run.ProgressAsync(done, total);
                    }
                    return FileWorkStop.None;
                }, run.CancellationToken);
        }
        finally
        {
            // Every copy made is marked before the step reports, continues or gives up (a failure's retry skips them).
            await marks.FlushAsync();
        }
        if (stopped == FileWorkStop.Cancelled) return;
        if (stopped == FileWorkStop.Yield)
        {
            await run.ContinueAsync();
            return;
        }
        await context.Publish(new FilesStored(id, count, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// The copy's ETag, or null when the slice ran out part-way through a multipart copy (its open upload
    /// is saved and the step continues in a new message). Single-request copies need no checkpoint lookup.
    /// </summary>
    private async Task<string?> CopyAsync(Guid id, InterimBag bag, InterimFileState file, PreservationCopy copy, StepRun<StoreFiles> run, CancellationToken ct)
    {
        var key = ObjectKeys.PreservationFor(id, file);
        if (file.Size < options.Value.MultipartCopyThresholdBytes)
            return await copier.CopyAsync(file.StagingKey, copy, key, file.Size, Metadata(bag.IngestId, file), ct);
        var role = copy.Slot;
        var from = await checkpoints.LoadUploadAsync(id, file.Path, role, ct);
        switch (await copier.CopyAsync(file.StagingKey, copy, key, file.Size, Metadata(bag.IngestId, file), from, () => run.ShouldYield, ct))
        {
            case CopyResult.Paused paused:
                await checkpoints.SaveUploadAsync(id, file.Path, role, paused.Checkpoint, CancellationToken.None);
                logger.LogInformation("Store of {IngestId}: {Path} ({Role}) copied {Parts} parts; continuing in the next slice",
                    id, file.Path, role, paused.Checkpoint.PartETags.Count);
                return null;
            case CopyResult.Done done:
                if (from is not null) await checkpoints.ClearUploadAsync(id, file.Path, role, CancellationToken.None);
                return done.ETag;
            default:
                throw new InvalidOperationException("unknown copy result");
        }
    }

    /// <summary>
    /// The copy's user metadata: only bounded values (ids and the digest, 122 bytes in all), never bag text. S3
    /// caps user metadata at 2 KB, so a valid bag with a long path or bag name could not be stored if either
    /// went in; the registry holds those. <see cref="S3Limits.CheckMetadata"/> guards the copier anyway.
    /// </summary>
    public static Dictionary<string, string> Metadata(Guid ingestId, InterimFileState file) => new()
    {
        ["ingest"] = ingestId.ToString("D"),
        ["file"] = file.FileId.ToString("D"),
        ["sha256"] = file.Sha256,
    };
}

public sealed class StoreFilesConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<StoreFilesConsumer>(options, q => q.Store, 4);
