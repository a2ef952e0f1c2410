using Bus.Registry.Model;
using Bus.Registry.Store;
using Npgsql;

namespace Bus.IntegrationTests.Registry;

public sealed class ReingestKeepsFileIdentity
{
    [Fact]
    public async Task Lookup_by_path_gives_each_files_uuid_and_latest_ingest_sha256()
    {
        await using var t = await TestInstitution.CreateAsync();
        var first = await t.Store.UpsertObjectAsync(t.Bag("bag"));
        var a = t.File(first.Identifier, "data/a.txt");
        var b = t.File(first.Identifier, "data/sub/b.txt");
        await t.Store.UpsertFilesAsync(first.Id, [a, b]);
        var day1 = DateTimeOffset.UtcNow.AddDays(-1);
        await t.Store.AddChecksumsAsync([
            new ChecksumRecord(a.Id, DigestAlgorithms.Sha256, new string('1', 64), day1, ChecksumSources.Ingest),
            new ChecksumRecord(b.Id, DigestAlgorithms.Sha256, new string('2', 64), day1, ChecksumSources.Ingest),
            new ChecksumRecord(b.Id, DigestAlgorithms.Sha256, new string('9', 64), DateTimeOffset.UtcNow, ChecksumSources.Fixity),
        ]);

        // Reingest: the object row is updated, not created; b changed content.
        var second = await t.Store.UpsertObjectAsync(t.Bag("bag") with { Title = "New title" });
        Assert.True(first.Inserted);
        Assert.False(second.Inserted);
        Assert.Equal(first.Id, second.Id);
        var existing = await t.Store.GetFilesByPathAsync(first.Identifier);
        Assert.Equal(["data/a.txt", "data/sub/b.txt"], existing.Keys.Order());
        Assert.Equal(a.Id, existing["data/a.txt"].Id);
        Assert.Equal(b.Id, existing["data/sub/b.txt"].Id);
        Assert.Equal(new string('2', 64), existing["data/sub/b.txt"].Sha256);

        await t.Store.UpsertFilesAsync(first.Id, [b with { Size = 99 }]);
        await t.Store.AddChecksumsAsync([new ChecksumRecord(b.Id, DigestAlgorithms.Sha256, new string('3', 64), DateTimeOffset.UtcNow, ChecksumSources.Ingest)]);
        existing = await t.Store.GetFilesByPathAsync(first.Identifier);
        Assert.Equal(new string('3', 64), existing["data/sub/b.txt"].Sha256);
        Assert.Equal(99, existing["data/sub/b.txt"].Size);
        Assert.Equal(new string('1', 64), existing["data/a.txt"].Sha256);

        // A new UUID for a path already registered is a caller bug: refused, not a second file.
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => t.Store.UpsertFilesAsync(first.Id, [t.File(first.Identifier, "data/a.txt")]));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
    }
}
