using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

public sealed class TombstoneKeepsHistory
{
    [Fact]
    public async Task Deleting_an_object_marks_object_files_and_copies_deleted_and_keeps_checksums_and_events()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var files = new[] { t.File(obj.Identifier, "data/a.txt"), t.File(obj.Identifier, "data/b.txt") };
        await t.Store.UpsertFilesAsync(obj.Id, files);
        var now = DateTimeOffset.UtcNow;
        await t.Store.AddChecksumsAsync(files.Select(f => new ChecksumRecord(f.Id, DigestAlgorithms.Sha256, new string('a', 64), now, ChecksumSources.Ingest)).ToList());
        await t.Store.RecordCopiesAsync(files.SelectMany(f => new[] { "primary", "replica" }.Select(b => new StorageCopy(f.Id, b, f.Id.ToString(), null, "Standard", now, now))).ToList());
        await t.Store.AddEventsAsync([new EventRecord(Guid.NewGuid(), obj.Id, null, obj.Identifier, EventTypes.Ingestion, now, Outcomes.Success, "ingested", null, "bus")]);

        var deletedAt = DateTimeOffset.UtcNow;
        var result = await t.Store.TombstoneObjectAsync(obj.Identifier, deletedAt);
        var again = await t.Store.TombstoneObjectAsync(obj.Identifier, deletedAt.AddHours(1));

        Assert.Equal(new TombstoneResult(1, 2, 4), result);
        Assert.Equal(new TombstoneResult(0, 0, 0), again);
        Assert.Equal(RecordState.Deleted, (await t.Store.FindObjectAsync(obj.Identifier))!.State);
        Assert.Equal(2, await t.CountAsync("SELECT count(*) FROM registry.generic_files WHERE object_id = @o AND state = 'deleted' AND deleted_at IS NOT NULL", ("o", obj.Id)));
        Assert.Equal(4, await t.CountAsync("SELECT count(*) FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id WHERE f.object_id = @o AND s.state = 'deleted'", ("o", obj.Id)));
        // The first deletion time stays; history stays.
        Assert.Equal(1, await t.CountAsync("SELECT count(*) FROM registry.intellectual_objects WHERE id = @o AND deleted_at < @later", ("o", obj.Id), ("later", deletedAt.AddMinutes(30))));
        Assert.Equal(2, await t.CountAsync("SELECT count(*) FROM registry.checksums c JOIN registry.generic_files f ON f.id = c.file_id WHERE f.object_id = @o", ("o", obj.Id)));
        Assert.Equal(1, await t.CountAsync("SELECT count(*) FROM registry.premis_events WHERE object_id = @o", ("o", obj.Id)));
        Assert.All(await t.Store.ListCopiesAsync(obj.Identifier), c => Assert.Equal(RecordState.Deleted, c.State));
    }

    [Fact]
    public async Task Deleting_one_file_leaves_the_object_and_its_other_files_active()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var a = t.File(obj.Identifier, "data/a.txt");
        var b = t.File(obj.Identifier, "data/b.txt");
        await t.Store.UpsertFilesAsync(obj.Id, [a, b]);
        await t.Store.RecordCopiesAsync([new StorageCopy(a.Id, "primary", "ka", null, "Standard", DateTimeOffset.UtcNow, null)]);

        Assert.Equal(new TombstoneResult(0, 1, 1), await t.Store.TombstoneFileAsync(a.Identifier, DateTimeOffset.UtcNow));

        var files = await t.Store.GetFilesByPathAsync(obj.Identifier);
        Assert.Equal(RecordState.Deleted, files["data/a.txt"].State);
        Assert.Equal(RecordState.Active, files["data/b.txt"].State);
        Assert.Equal(RecordState.Active, (await t.Store.FindObjectAsync(obj.Identifier))!.State);
    }
}
