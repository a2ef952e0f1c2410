using System.Security.Cryptography;
using System.Text;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.Deletion.Data;

/// <summary>
/// <see cref="IDeletionRegistry"/> over the registry's store. PREMIS event ids are derived from the
/// request and the file or object, so a retried or replayed deletion step adds no event twice.
/// </summary>
public sealed class RegistryDeletionRegistry(RegistryDatabase database) : IDeletionRegistry
{
    public Task<DeletionTarget?> FindTargetAsync(string identifier, CancellationToken cancellationToken)
    {
        if (!Identifiers.TryParse(identifier, out var parsed, out _)) return Task.FromResult<DeletionTarget?>(null);
        return database.RunAsync(async store =>
        {
            var obj = await store.FindObjectAsync(parsed.ObjectIdentifier, cancellationToken);
            if (obj is null) return null;
            var state = obj.State;
            if (parsed.IsFile)
            {
                var files = await store.GetFilesByPathAsync(parsed.ObjectIdentifier, cancellationToken);
                if (!files.TryGetValue(parsed.Path!, out var file)) return null;
                state = file.State;
            }
            var copies = (await store.ListCopiesAsync(identifier, cancellationToken))
                .Where(c => c.State == RecordState.Active)
                .Select(c => new StoredCopy(c.FileIdentifier, c.Bucket, c.Key, c.StorageOption, c.StoredAt))
                .ToList();
            return new DeletionTarget(identifier, parsed.ObjectIdentifier, obj.Institution, parsed.IsFile, state, copies);
        }, cancellationToken)!;
    }

    public Task<DeletionUser?> FindUserAsync(string email, CancellationToken cancellationToken) =>
        database.RunAsync(async store => await store.FindUserAsync(email.Trim(), cancellationToken) is { } u
            ? new DeletionUser(u.Email, u.Institution, u.Role) : null, cancellationToken);

    public Task TombstoneAsync(Tombstone deletion, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async store =>
        {
            var parsed = Identifiers.Parse(deletion.Identifier);
            var obj = await store.FindObjectAsync(parsed.ObjectIdentifier, cancellationToken)
                ?? throw new InvalidOperationException($"object '{parsed.ObjectIdentifier}' vanished from the registry");
            // Only files still active get an event: files deleted earlier already have theirs.
            var files = (await store.GetFilesByPathAsync(parsed.ObjectIdentifier, cancellationToken)).Values
                .Where(f => f.State == RecordState.Active && (!parsed.IsFile || f.Identifier == deletion.Identifier))
                .ToList();
            var events = files.Select(f => Event(deletion, obj.Id, f.Id, f.Identifier, "every storage copy of the file removed")).ToList();
            if (!parsed.IsFile && obj.State == RecordState.Active)
                events.Add(Event(deletion, obj.Id, null, obj.Identifier, $"{deletion.CopiesRemoved} storage copies of the object removed"));
            await store.AddEventsAsync(events, cancellationToken);
            if (parsed.IsFile) await store.TombstoneFileAsync(deletion.Identifier, deletion.DeletedAt, cancellationToken);
            else await store.TombstoneObjectAsync(deletion.Identifier, deletion.DeletedAt, cancellationToken);
            return 0;
        }, cancellationToken);

    /// <summary>The PREMIS deletion event: who asked, who approved, why (written only after the approval chain, as APTrust does).</summary>
    public static EventRecord Event(Tombstone d, long objectId, Guid? fileId, string identifier, string outcomeDetail) =>
        new(EventId(d.RequestId, identifier), objectId, fileId, identifier, EventTypes.Deletion, d.DeletedAt, Outcomes.Success,
            Detail(d), outcomeDetail, Agent(d));

    public static string Detail(Tombstone d) => $"deleted on request {d.RequestId}; reason: {d.Reason}";
    public static string Agent(Tombstone d) => $"requested by {d.RequestedBy}; approved by {d.ApprovedBy}";

    /// <summary>A name-based UUID from the request and the identifier: the same step run twice makes the same ids.</summary>
    public static Guid EventId(Guid requestId, string identifier)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"deletion:{requestId:N}:{identifier}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5-style marker (little-endian Guid layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
