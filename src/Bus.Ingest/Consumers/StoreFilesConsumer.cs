using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Copies each file that needs storing from staging to the primary and replica buckets (server-side),
/// keyed by file UUID (a reingest's changed file by UUID/ingest id, never over the recorded version: see
/// <see cref="ObjectKeys"/>) with institution/bag/path/sha256 as user metadata. Each copy is marked stored
/// as soon as it exists, so a retry, a continuation or another process after a crash copies only
/// what is missing.
/// </summary>
public sealed class StoreFilesConsumer(InterimStore store, PreservationCopier copier, IOptions<IngestOptions> options) : IConsumer<StoreFiles>
{
    public static readonly string[] Roles = ["primary", "replica"];

    public async Task Consume(ConsumeContext<StoreFiles> context)
    {
        var id = context.Message.IngestId;
        var run = await StepRun<StoreFiles>.BeginAsync(context, id, IngestSteps.Store, options.Value.TimeSlice);
        var bag = await store.FindBagAsync(id, run.CancellationToken);
        if (bag is null || bag.CancelledAt is not null) return;
        var files = await store.FilesAsync(id, "store_needed", run.CancellationToken);
        var total = files.Count * Roles.Length;
        var done = files.Sum(f => (f.PrimaryStoredAt is null ? 0 : 1) + (f.ReplicaStoredAt is null ? 0 : 1));
        foreach (var file in files.Where(f => f.PrimaryStoredAt is null || f.ReplicaStoredAt is null))
        {
            if (run.ShouldYield)
            {
                await run.ContinueAsync();
                return;
            }
            // A cancel arriving mid-step: stop; compensation removes what was copied.
            if (await store.IsCancelledAsync(id, run.CancellationToken)) return;
            foreach (var role in Roles)
            {
                if ((role == "primary" ? file.PrimaryStoredAt : file.ReplicaStoredAt) is not null) continue;
                var etag = await copier.CopyAsync(file.StagingKey, role, ObjectKeys.PreservationFor(id, file), file.Size, Metadata(bag, file), run.CancellationToken);
                await store.MarkStoredAsync(id, file.Path, role, etag, CancellationToken.None);
                done++;
            }
            if (done % 50 == 0) await run.ProgressAsync(done, total);
        }
        await context.Publish(new FilesStored(id, files.Count, DateTimeOffset.UtcNow));
    }

    public static Dictionary<string, string> Metadata(InterimBag bag, InterimFileState file) => new()
    {
        ["institution"] = bag.Institution,
        ["bag"] = bag.BagName,
        // S3 user metadata is ASCII: the path is percent-encoded so any UTF-8 name survives.
        ["path"] = Uri.EscapeDataString(file.Path),
        ["sha256"] = file.Sha256,
    };
}

public sealed class StoreFilesConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<StoreFilesConsumer>(options, q => q.Store, 4);
