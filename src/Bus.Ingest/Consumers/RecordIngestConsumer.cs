using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
using Bus.Persistence.Transactions;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Writes the object, its files, checksums, storage records and PREMIS events (GUIDE §4) in one
/// registry transaction. Event ids are name-based on (ingest, file, event, qualifier): made once
/// from ids kept in the interim rows, so a retried Record writes the same ids and the registry's
/// ON CONFLICT skips them: never a duplicate row or event. A reingest records events only for the
/// files it stored, plus the object's ingestion event.
/// </summary>
public sealed class RecordIngestConsumer(InterimStore store, RegistryDatabase registry, PreservationCopier copier, MessageTransaction transaction,
    IOptions<IngestOptions> options) : IConsumer<RecordIngest>
{
    public const string Agent = "Bus ingest";

    public async Task Consume(ConsumeContext<RecordIngest> context)
    {
        var id = context.Message.IngestId;
        var run = await StepRun<RecordIngest>.BeginAsync(context, id, IngestSteps.Record, options.Value.TimeSlice);
        var ct = run.CancellationToken;
        var bag = await store.FindBagAsync(id, ct) ?? throw new InvalidOperationException($"ingest {id} has no interim bag row");
        if (bag.CancelledAt is not null) return;
        var files = await store.FilesAsync(id, "true", ct);
        var now = DateTimeOffset.UtcNow;
        // The registry rows, the recorded marks and IngestRecorded commit in the message's one transaction.
        var events = await registry.InTransactionAsync(transaction.Transaction, async s =>
        {
            var obj = await s.UpsertObjectAsync(new ObjectRecord(bag.Institution, bag.BagName, bag.Title ?? bag.BagName, bag.Description,
                bag.Access ?? Access.Institution, bag.StorageOption ?? "Standard", bag.BagitProfile, id), ct);
            await s.UpsertFilesAsync(obj.Id, files.Select(f => new FileRecord(f.FileId, Identifiers.ForFile(obj.Identifier, f.Path), f.Size,
                f.Format ?? ExtensionFormats.Unknown, f.FormatMethod)).ToList(), ct);
            var stored = files.Where(f => f.StoreNeeded).ToList();
            var checksums = new List<ChecksumRecord>();
            var copies = new List<StorageCopy>();
            var premis = new List<EventRecord>();
            Guid EventId(Guid? fileId, string type, string qualifier = "") => IngestIds.NameBased(id, $"event:{fileId}:{type}:{qualifier}");
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
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.Ingestion), obj.Id, f.FileId, identifier, EventTypes.Ingestion, now,
                    Outcomes.Success, "stored in the primary preservation bucket and verified by sha256", copier.BucketFor("primary"), Agent));
                premis.Add(new EventRecord(EventId(f.FileId, EventTypes.Replication), obj.Id, f.FileId, identifier, EventTypes.Replication, now,
                    Outcomes.Success, "copied to the replica preservation bucket and verified by sha256", copier.BucketFor("replica"), Agent));
                if (f.StagingKey == ObjectKeys.Staging(id, f.FileId))
                    premis.Add(new EventRecord(EventId(f.FileId, EventTypes.IdentifierAssignment), obj.Id, f.FileId, identifier,
                        EventTypes.IdentifierAssignment, now, Outcomes.Success, "file UUID assigned", f.FileId.ToString(), Agent));
                foreach (var role in StoreFilesConsumer.Roles)
                    copies.Add(new StorageCopy(f.FileId, copier.BucketFor(role), ObjectKeys.Preservation(f.FileId),
                        role == "primary" ? f.PrimaryEtag : f.ReplicaEtag, bag.StorageOption ?? "Standard",
                        (role == "primary" ? f.PrimaryStoredAt : f.ReplicaStoredAt) ?? now, (role == "primary" ? f.PrimaryVerifiedAt : f.ReplicaVerifiedAt)));
            }
            if (!bag.Reingest)
            {
                premis.Add(new EventRecord(EventId(null, EventTypes.Creation), obj.Id, null, obj.Identifier, EventTypes.Creation, now,
                    Outcomes.Success, "intellectual object created", null, Agent));
                premis.Add(new EventRecord(EventId(null, EventTypes.IdentifierAssignment), obj.Id, null, obj.Identifier, EventTypes.IdentifierAssignment, now,
                    Outcomes.Success, "object identifier assigned", obj.Identifier, Agent));
            }
            premis.Add(new EventRecord(EventId(null, EventTypes.Ingestion), obj.Id, null, obj.Identifier, EventTypes.Ingestion, now,
                Outcomes.Success, bag.Reingest ? $"reingest: {stored.Count} of {files.Count} files stored" : $"{files.Count} files ingested", id.ToString(), Agent));
            premis.Add(new EventRecord(EventId(null, EventTypes.AccessAssignment), obj.Id, null, obj.Identifier, EventTypes.AccessAssignment, now,
                Outcomes.Success, "access assigned", bag.Access ?? Access.Institution, Agent));
            await s.AddChecksumsAsync(checksums, ct);
            await s.RecordCopiesAsync(copies, ct);
            await s.AddEventsAsync(premis, ct);
            return premis.Count;
        });
        await store.MarkRecordedAsync(id, CancellationToken.None, transaction.Transaction);
        await context.Publish(new IngestRecorded(id, bag.ObjectIdentifier ?? "", events, DateTimeOffset.UtcNow));
    }
}

public sealed class RecordIngestConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<RecordIngestConsumer>(options, q => q.Record, 2);
