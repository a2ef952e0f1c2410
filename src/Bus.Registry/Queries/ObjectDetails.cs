using Bus.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace Bus.Registry.Queries;

public sealed record FileDetail(GenericFile File, IReadOnlyList<Checksum> Checksums, IReadOnlyList<StorageRecord> StorageRecords);

/// <summary>An object with its files, their checksums and copies, and its PREMIS events (or one file of it).</summary>
public sealed record ObjectDetail(IntellectualObject IntellectualObject, IReadOnlyList<FileDetail> Files, IReadOnlyList<PremisEvent> Events);

public static class ObjectDetails
{
    /// <summary>
    /// Loads what <c>busctl objects show</c> prints. A file identifier narrows files and events to that
    /// file. Null when nothing has that identifier. Reads in three queries, not one per file.
    /// </summary>
    public static async Task<ObjectDetail?> LoadAsync(RegistryDbContext db, string identifier, CancellationToken cancellationToken = default)
    {
        var parsed = Identifiers.Parse(identifier);
        var obj = await db.Objects.AsNoTracking().SingleOrDefaultAsync(o => o.Identifier == parsed.ObjectIdentifier, cancellationToken);
        if (obj is null) return null;
        var filesQuery = db.Files.AsNoTracking().Where(f => f.ObjectId == obj.Id);
        if (parsed.IsFile) filesQuery = filesQuery.Where(f => f.Identifier == identifier);
        var files = await filesQuery.OrderBy(f => f.Identifier).ToListAsync(cancellationToken);
        if (parsed.IsFile && files.Count == 0) return null;
        var fileIds = files.Select(f => f.Id).ToList();
        var checksums = (await db.Checksums.AsNoTracking().Where(c => fileIds.Contains(c.FileId))
                .OrderBy(c => c.Algorithm).ThenBy(c => c.Source).ThenBy(c => c.DateTime).ToListAsync(cancellationToken))
            .ToLookup(c => c.FileId);
        var copies = (await db.StorageRecords.AsNoTracking().Where(s => fileIds.Contains(s.FileId))
                .OrderBy(s => s.Bucket).ToListAsync(cancellationToken))
            .ToLookup(s => s.FileId);
        var eventsQuery = db.Events.AsNoTracking().Where(e => e.ObjectId == obj.Id);
        if (parsed.IsFile) eventsQuery = eventsQuery.Where(e => e.FileId == files[0].Id);
        var events = await eventsQuery.OrderBy(e => e.DateTime).ThenBy(e => e.EventType).ToListAsync(cancellationToken);
        return new ObjectDetail(obj,
            files.Select(f => new FileDetail(f, checksums[f.Id].ToList(), copies[f.Id].ToList())).ToList(),
            events);
    }
}
