using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

public sealed class RetriedWritesDoNotDuplicate
{
    [Fact]
    public async Task Writing_the_same_files_checksums_events_and_copies_again_adds_nothing()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var file = t.File(obj.Identifier, "data/a.txt");
        var now = DateTimeOffset.UtcNow;
        var checksums = new[]
        {
            new ChecksumRecord(file.Id, DigestAlgorithms.Md5, "D41D8CD98F00B204E9800998ECF8427E", now, ChecksumSources.Manifest),
            new ChecksumRecord(file.Id, DigestAlgorithms.Sha256, new string('a', 64), now, ChecksumSources.Ingest),
        };
        var events = new[]
        {
            new EventRecord(Guid.NewGuid(), obj.Id, file.Id, file.Identifier, EventTypes.Ingestion, now, Outcomes.Success, "ingested", null, "bus"),
            new EventRecord(Guid.NewGuid(), obj.Id, null, obj.Identifier, EventTypes.Creation, now, Outcomes.Success, "created", null, "bus"),
        };
        var copy = new StorageCopy(file.Id, "primary", file.Id.ToString(), "etag", "Standard", now, now);

        Assert.Equal(1, await t.Store.UpsertFilesAsync(obj.Id, [file]));
        Assert.Equal(2, await t.Store.AddChecksumsAsync(checksums));
        Assert.Equal(2, await t.Store.AddEventsAsync(events));
        Assert.Equal(1, await t.Store.RecordCopiesAsync([copy]));

        // The retry: same UUIDs, event ids and digests (a digest differing only in case is the same digest).
        Assert.Equal(0, await t.Store.UpsertFilesAsync(obj.Id, [file]));
        Assert.Equal(0, await t.Store.AddChecksumsAsync(checksums.Select(c => c with { Digest = c.Digest.ToLowerInvariant() }).ToList()));
        Assert.Equal(0, await t.Store.AddEventsAsync(events));
        Assert.Equal(0, await t.Store.RecordCopiesAsync([copy]));
        Assert.Equal(0, await t.Store.RecordCopiesAsync([copy with { VerifiedAt = null }]));

        Assert.Equal(1, await t.CountAsync("SELECT count(*) FROM registry.generic_files WHERE object_id = @o", ("o", obj.Id)));
        Assert.Equal(2, await t.CountAsync("SELECT count(*) FROM registry.checksums WHERE file_id = @f", ("f", file.Id)));
        Assert.Equal(2, await t.CountAsync("SELECT count(*) FROM registry.premis_events WHERE object_id = @o", ("o", obj.Id)));
        // A retry without a verified time keeps the one already recorded.
        Assert.Equal(1, await t.CountAsync("SELECT count(*) FROM registry.storage_records WHERE file_id = @f AND verified_at IS NOT NULL", ("f", file.Id)));
    }
}
