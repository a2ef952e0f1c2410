using Bus.Registry.Model;
using Bus.Registry.Store;

namespace Bus.IntegrationTests.Registry;

public sealed class CopyLookupsForFixityAndDeletion
{
    [Fact]
    public async Task A_copy_found_by_id_leads_to_its_file_its_other_copies_and_its_latest_ingest_digests()
    {
        await using var t = await TestInstitution.CreateAsync();
        var obj = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var a = t.File(obj.Identifier, "data/a.txt");
        await t.Store.UpsertFilesAsync(obj.Id, [a]);
        var then = DateTimeOffset.UtcNow.AddDays(-1);
        await t.Store.AddChecksumsAsync([
            new ChecksumRecord(a.Id, DigestAlgorithms.Sha256, new string('1', 64), then, ChecksumSources.Ingest),
            new ChecksumRecord(a.Id, DigestAlgorithms.Sha256, new string('2', 64), DateTimeOffset.UtcNow, ChecksumSources.Ingest),
            new ChecksumRecord(a.Id, DigestAlgorithms.Md5, new string('3', 32), then, ChecksumSources.Ingest),
            new ChecksumRecord(a.Id, DigestAlgorithms.Sha256, new string('4', 64), DateTimeOffset.UtcNow, ChecksumSources.Fixity),
        ]);
        await t.Store.RecordCopiesAsync([
            new StorageCopy(a.Id, "primary", "kp", null, "Standard", then, then),
            new StorageCopy(a.Id, "replica", "kr", null, "Standard", then, then),
        ]);
        var primaryId = (await t.Store.ListCopiesAsync(a.Identifier)).Single(c => c.Bucket == "primary").Id;

        var copy = await t.Store.FindCopyAsync(primaryId);
        var all = await t.Store.ListCopiesOfFileAsync(copy!.FileId);
        var file = await t.Store.FindFileAsync(copy.FileIdentifier);
        var digests = await t.Store.GetIngestDigestsAsync(copy.FileId);

        Assert.Equal((a.Id, obj.Id, "kp"), (copy.FileId, copy.ObjectId, copy.Key));
        Assert.Equal(["primary", "replica"], all.Select(c => c.Bucket));
        Assert.Equal((obj.Identifier, t.Identifier, RecordState.Active), (file!.ObjectIdentifier, file.Institution, file.State));
        Assert.Equal(new Dictionary<string, string> { ["md5"] = new string('3', 32), ["sha256"] = new string('2', 64) }, digests);
        Assert.Null(await t.Store.FindCopyAsync(-1));
    }
}
