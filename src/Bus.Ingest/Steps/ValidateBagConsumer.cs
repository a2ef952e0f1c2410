using System.Text.Json;
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
/// Decides whether the unpacked bag may be preserved: the validator's errors (RFC 8493 + profile,
/// found during Unpack's single pass), then what only the registry knows (the institution exists)
/// and the storage option (configured, and for a reingest the object's own). Every reason is reported at once. A valid bag whose object is already
/// registered is a reingest: each known path keeps its file UUID and only changed files are stored.
/// </summary>
public sealed class ValidateBagConsumer(InterimStore store, RegistryDatabase registry, PreservationCopier copier, MessageTransaction transaction,
    IOptions<IngestOptions> options)
    : IConsumer<ValidateBag>
{
    public async Task Consume(ConsumeContext<ValidateBag> context)
    {
        var m = context.Message;
        var run = await IngestStep.BeginAsync(context, m.IngestId, IngestSteps.Validate, options.Value.TimeSlice);
        var ct = run.CancellationToken;
        var bag = await store.FindBagAsync(m.IngestId, ct)
            ?? throw new InvalidOperationException($"ingest {m.IngestId} has no unpacked bag row; replay UnpackBag first");
        var bagProblems = JsonSerializer.Deserialize<List<IngestRejection>>(bag.Problems) ?? [];
        // Registry facts first: a bag's own reasons may fill the bounded list, these few must still show.
        var problems = new List<IngestRejection>();

        if (await registry.RunAsync(s => s.FindInstitutionAsync(m.Institution, ct), ct) is null)
            problems.Add(new("institution-unknown", $"institution '{m.Institution}' is not registered (busctl institutions add)"));
        // A reingest keeps the object's storage option (APTrust's rule): asking for another is a rejection, asking for none keeps it.
        var objectIdentifier = Identifiers.ForObject(m.Institution, bag.BagName);
        var existing = Identifiers.TryParse(objectIdentifier, out _, out _)
            ? await registry.RunAsync(s => s.FindObjectAsync(objectIdentifier, ct), ct) : null;
        var requested = m.StorageOption ?? bag.StorageOption;
        var storageOption = requested ?? existing?.StorageOption ?? "Standard";
        if (!copier.IsKnown(storageOption))
            problems.Add(new("storage-option-invalid", $"storage option '{storageOption}' is not one of {string.Join(", ", copier.OptionNames)}"));
        else if (existing?.StorageOption is { } original && original != storageOption)
            problems.Add(new("storage-option-changed",
                $"'{objectIdentifier}' is preserved under storage option '{original}'; a reingest keeps it and cannot ask for '{storageOption}'"));
        var access = bag.Access ?? Access.Institution;
        // The profile already reports a bad Access tag; this catches profiles (btr) that do not check it.
        if (!Access.All.Contains(access) && !bagProblems.Any(p => p.Path == "aptrust-info.txt" || p.Message.Contains("'Access'", StringComparison.Ordinal)))
            problems.Add(new("access-invalid", $"Access '{access}' is not one of {string.Join(", ", Access.All)}", "aptrust-info.txt"));
        if (!Identifiers.TryParse(objectIdentifier, out _, out var identifierError))
            problems.Add(new("bag-name-invalid", identifierError));
        problems.AddRange(bagProblems);
        if (problems.Count > 0)
        {
            await context.Publish(new BagInvalid(m.IngestId, RejectionReasons.Bounded(problems), DateTimeOffset.UtcNow));
            return;
        }

        // A file counts as already preserved only while it is active with a verified copy in every
        // bucket: a deleted file (or one missing a copy) deposited again is stored again, same UUID.
        var registered = (await registry.RunAsync(s => s.GetPreservedFilesByPathAsync(objectIdentifier, copier.RequiredBuckets(storageOption), ct), ct))
            .Where(e => e.Value.Sha256 is not null).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var reingest = existing is not null;
        var validated = bag with
        {
            ObjectIdentifier = objectIdentifier, StorageOption = storageOption, Access = access, Title = bag.Title ?? bag.BagName, Reingest = reingest,
        };
        // On the message's transaction: the decision and BagValidated commit together.
        await store.SaveValidatedAsync(validated, registered, CancellationToken.None, transaction.Transaction);
        var toStore = await store.CountFilesAsync(m.IngestId, InterimFiles.ToStore, ct, transaction.Transaction);
        await context.Publish(new BagValidated(m.IngestId, objectIdentifier, storageOption, reingest, toStore, DateTimeOffset.UtcNow));
    }
}

public sealed class ValidateBagConsumerDefinition(IOptions<IngestOptions> options)
    : StepConsumerDefinition<ValidateBagConsumer>(options, q => q.Validate, 4);
