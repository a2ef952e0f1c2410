using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Persistence.Transactions;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Steps;

/// <summary>
/// Writes the object, its files, checksums, storage records and PREMIS events (as APTrust writes them) in one
/// registry transaction. Event ids are name-based on (ingest, file, event, qualifier): made once
/// from ids kept in the interim rows, so a retried Record writes the same ids and the registry's
/// ON CONFLICT skips them: never a duplicate row or event. A reingest records events only for the
/// files it stored, plus the object's ingestion event. A reingest's changed file is recorded at its
/// new version key (<see cref="ObjectKeys"/>); the key it replaces is noted first and deleted by CleanUp.
/// </summary>
public sealed class RecordIngestConsumer(InterimStore store, RegistryDatabase registry, PreservationCopier copier, MessageTransaction transaction,
    IOptions<IngestOptions> options) : IConsumer<RecordIngest>
{
    public const string Agent = "Bus ingest";
    private const string RecordSavepoint = "record_registry";
    private const int MissingListed = 20;

    public async Task Consume(ConsumeContext<RecordIngest> context)
    {
        var id = context.Message.IngestId;
        var run = await IngestStep.BeginAsync(context, id, IngestSteps.Record, options.Value.TimeSlice);
        var ct = run.CancellationToken;
        var bag = await store.FindBagAsync(id, ct) ?? throw new InvalidOperationException($"ingest {id} has no interim bag row");
        if (bag.CancelledAt is not null) return;
        var now = DateTimeOffset.UtcNow;
        await NoteSupersededCopiesAsync(id, bag, ct);
        // Compensation marks the bag ended before it looks at what the registry records: holding the bag
        // row until the message's transaction commits means a cancel either stops this Record or sees
        // everything it wrote. The registry rows, the recorded marks and IngestRecorded commit together.
        if (!await InterimStore.LockUnlessCancelledAsync(transaction.Connection, transaction.Transaction, id, ct)) return;
        // The registry writes can be undone alone, keeping the bag row's lock and letting the failure report commit.
        await transaction.Transaction.SaveAsync(RecordSavepoint, ct);
        var missing = new List<string>();
        var events = await registry.InTransactionAsync(transaction.Transaction, async s =>
        {
            var obj = await s.UpsertObjectAsync(new ObjectRecord(bag.Institution, bag.BagName, bag.Title ?? bag.BagName, bag.Description,
                bag.Access ?? Access.Institution, bag.StorageOption ?? "Standard", bag.BagitProfile, id), ct);
            // RecordChunkFiles files at a time (all 10,000 of a bag at once held ~110,000 events, tens of
            // MiB). Every chunk goes into this one transaction: nothing is recorded unless all of it is. The
            // interim rows do not change any more (Verify is done), so reading them in chunks beside the
            // transaction sees each file once.
            int files = 0, stored = 0, written = 0;
            await foreach (var chunk in store.FileChunksAsync(id, InterimFiles.All, options.Value.RecordChunkFiles, ct))
            {
                files += chunk.Count;
                var (storedInChunk, eventsInChunk) = await RecordFilesAsync(s, id, bag, obj, chunk, now, ct);
                stored += storedInChunk;
                written += eventsInChunk;
            }
            var premis = new List<EventRecord>();
            Guid EventId(string type) => ObjectEventId(id, type);
            if (!bag.Reingest)
            {
                premis.Add(new EventRecord(EventId(EventTypes.Creation), obj.Id, null, obj.Identifier, EventTypes.Creation, now,
                    Outcomes.Success, "intellectual object created", null, Agent));
                premis.Add(new EventRecord(EventId(EventTypes.IdentifierAssignment), obj.Id, null, obj.Identifier, EventTypes.IdentifierAssignment, now,
                    Outcomes.Success, "object identifier assigned", obj.Identifier, Agent));
            }
            premis.Add(new EventRecord(EventId(EventTypes.Ingestion), obj.Id, null, obj.Identifier, EventTypes.Ingestion, now,
                Outcomes.Success, bag.Reingest ? $"reingest: {stored} of {files} files stored" : $"{files} files ingested", id.ToString(), Agent));
            premis.Add(new EventRecord(EventId(EventTypes.AccessAssignment), obj.Id, null, obj.Identifier, EventTypes.AccessAssignment, now,
                Outcomes.Success, "access assigned", bag.Access ?? Access.Institution, Agent));
            await s.AddEventsAsync(premis, ct);
            // Completed promises that every active file of the object has a verified copy in each
            // bucket, this ingest's files and the ones it kept; checked on what this transaction wrote.
            missing.AddRange(await s.FilesMissingCopiesAsync(obj.Id, copier.RequiredBuckets(bag.StorageOption), MissingListed, ct));
            return written + premis.Count;
        });
        if (missing.Count > 0)
        {
            await transaction.Transaction.RollbackAsync(RecordSavepoint, ct);
            await run.FailAsync(IngestFailureCodes.CopiesIncomplete,
                $"not recorded: {(missing.Count >= MissingListed ? $"{MissingListed} or more" : missing.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                $"active files lack a verified copy in {string.Join(" and ", copier.RequiredBuckets(bag.StorageOption))}, e.g. {string.Join(", ", missing.Take(5).Select(m => m.Length > 200 ? m[..200] + "…" : m))}");
            return;
        }
        await store.MarkRecordedAsync(id, CancellationToken.None, transaction.Transaction);
        await context.Publish(new IngestRecorded(id, bag.ObjectIdentifier ?? "", events, DateTimeOffset.UtcNow));
    }

    private static Guid FileEventId(Guid ingestId, Guid fileId, string type, string qualifier = "") =>
        IngestIds.NameBased(ingestId, $"event:{fileId}:{type}:{qualifier}");

    // The object's events had a null file id in the name from the start: kept, so a retry across this change finds them.
    private static Guid ObjectEventId(Guid ingestId, string type) => IngestIds.NameBased(ingestId, $"event::{type}:");

    /// <summary>One chunk's files, and for those this ingest stored their checksums, copies and events. Returns (stored files, events).</summary>
    private async Task<(int Stored, int Events)> RecordFilesAsync(RegistryStore s, Guid id, InterimBag bag, ObjectRow obj,
        IReadOnlyList<InterimFileState> files, DateTimeOffset now, CancellationToken ct)
    {
        await s.UpsertFilesAsync(obj.Id, files.Select(f => new FileRecord(f.FileId, Identifiers.ForFile(obj.Identifier, f.Path), f.Size,
            f.Format ?? ExtensionFormats.Unknown, f.FormatMethod)).ToList(), ct);
        var stored = files.Where(f => f.StoreNeeded).ToList();
        var storageCopies = copier.CopiesFor(bag.StorageOption);
        if (storageCopies.Count == 0) throw new InvalidOperationException($"ingest {id}: storage option '{bag.StorageOption}' is not configured (Bus:Storage:Options)");
        var checksums = new List<ChecksumRecord>();
        var copies = new List<StorageCopy>();
        var premis = new List<EventRecord>();
        Guid EventId(Guid fileId, string type, string qualifier = "") => FileEventId(id, fileId, type, qualifier);
        foreach (var f in stored)
        {
            var identifier = Identifiers.ForFile(obj.Identifier, f.Path);
            var digests = new[] { (DigestAlgorithms.Md5, f.Md5), (DigestAlgorithms.Sha1, f.Sha1), (DigestAlgorithms.Sha256, f.Sha256), (DigestAlgorithms.Sha512, f.Sha512) };
            foreach (var (algorithm, digest) in digests)
            {
                checksums.Add(new ChecksumRecord(f.FileId, algorithm, digest, now, ChecksumSources.Ingest));
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.MessageDigestCalculation, algorithm), obj.Id, f.FileId, identifier,
                    EventTypes.MessageDigestCalculation, now, Outcomes.Success, $"{algorithm} computed while unpacking", $"{algorithm}:{digest}", Agent));
            }
            // The bag was valid, so each manifest's digest is the computed one.
            foreach (var algorithm in bag.ManifestAlgorithms.Where(a => DigestAlgorithms.All.Contains(a)))
            {
                var digest = digests.First(d => d.Item1 == algorithm).Item2;
                checksums.Add(new ChecksumRecord(f.FileId, algorithm, digest, now, ChecksumSources.Manifest));
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.FixityCheck, algorithm), obj.Id, f.FileId, identifier,
                    EventTypes.FixityCheck, now, Outcomes.Success, $"{algorithm} of the file matches manifest-{algorithm}.txt", $"{algorithm}:{digest}", Agent));
            }
            // Ingestion names the option's first copy; each further copy is a replication (APTrust records one when there is more than one copy).
            var first = storageCopies[0];
            premis.Add(new EventRecord(EventId(f.FileId, EventTypes.Ingestion), obj.Id, f.FileId, identifier, EventTypes.Ingestion, now,
                Outcomes.Success, $"stored as the {first.Target.Name} copy ({first.Target.StorageClass}) and {HowVerified(first)}", first.Bucket, Agent));
            foreach (var other in storageCopies.Skip(1))
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.Replication), obj.Id, f.FileId, identifier, EventTypes.Replication, now,
                    Outcomes.Success, $"copied as the {other.Target.Name} copy ({other.Target.StorageClass}) and {HowVerified(other)}", other.Bucket, Agent));
            if (ObjectKeys.IsNewFile(id, f))
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.IdentifierAssignment), obj.Id, f.FileId, identifier,
                    EventTypes.IdentifierAssignment, now, Outcomes.Success, "file UUID assigned", f.FileId.ToString(), Agent));
            foreach (var copy in storageCopies)
                copies.Add(new StorageCopy(f.FileId, copy.Bucket, ObjectKeys.PreservationFor(id, f),
                    f.Etag(copy.Slot), bag.StorageOption!, f.StoredAt(copy.Slot) ?? now, f.VerifiedAt(copy.Slot),
                    copy.Target.StorageClass, copy.Target.EffectiveTier, copy.Target.Name, copy.Target.Region, f.Checksum(copy.Slot)));
        }
        await s.AddChecksumsAsync(checksums, ct);
        await s.RecordCopiesAsync(copies, ct);
        await s.AddEventsAsync(premis, ct);
        return (stored.Count, premis.Count);
    }

    private static string HowVerified(PreservationCopy copy) =>
        copy.IsCold ? "verified by S3's SHA-256 checksum" : "verified by sha256";

    /// <summary>
    /// Before the registry's storage records move to a reingest's new keys, keeps the keys they hold
    /// now in the interim rows, so CleanUp can delete the superseded version once Record has committed.
    /// A retry after the commit finds the new keys recorded and keeps what it noted the first time.
    /// </summary>
    private async Task NoteSupersededCopiesAsync(Guid id, InterimBag bag, CancellationToken ct)
    {
        if (!bag.Reingest || bag.ObjectIdentifier is null) return;
        var recorded = (await registry.RunAsync(s => s.ListCopiesAsync(bag.ObjectIdentifier, ct), ct))
            .ToDictionary(c => (c.FileId, c.Bucket), c => c.Key);
        await foreach (var chunk in store.FileChunksAsync(id, InterimFiles.ToStore, options.Value.RecordChunkFiles, ct))
        {
            var superseded = new List<(string Path, string Role, string Key)>();
            foreach (var f in chunk)
                foreach (var copy in copier.CopiesFor(bag.StorageOption))
                    if (recorded.TryGetValue((f.FileId, copy.Bucket), out var key) && key != ObjectKeys.PreservationFor(id, f))
                        superseded.Add((f.Path, copy.Slot, key));
            await store.SaveSupersededAsync(id, superseded, CancellationToken.None);
        }
    }
}

public sealed class RecordIngestConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<RecordIngestConsumer>(options, q => q.Record, 2);
