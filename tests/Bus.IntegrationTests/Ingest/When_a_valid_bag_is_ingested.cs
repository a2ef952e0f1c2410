using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_a_valid_bag_is_ingested
{
    [Fact]
    public Task It_completes_with_two_verified_copies_registry_rows_and_premis_events() => IngestAndCheckAsync(null);

    /// <summary>Record reads and writes the files a chunk at a time: every chunk is recorded, none twice, the object's events once.</summary>
    [Fact]
    public Task It_records_every_file_when_record_works_in_chunks_smaller_than_the_bag() =>
        IngestAndCheckAsync(new Dictionary<string, string> { ["Bus__Ingest__RecordChunkFiles"] = "2" });

    private static async Task IngestAndCheckAsync(IDictionary<string, string>? environment)
    {
        await using var stack = await IngestStack.StartAsync(environment);
        var bag = new TestBag("valid-" + Guid.NewGuid().ToString("N")[..8]);

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");
        Assert.Equal("Completed", result.GetProperty("state").GetString());
        var objectId = $"{stack.Institution}/{bag.Name}";
        Assert.Equal(objectId, result.GetProperty("objectIdentifier").GetString());

        var files = await stack.QueryAsync("""
            SELECT f.id, f.identifier, f.format, c.digest FROM registry.generic_files f
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            JOIN registry.checksums c ON c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest'
            WHERE o.identifier = @o
            """, r => (Id: r.GetGuid(0), Identifier: r.GetString(1), Format: r.GetString(2), Sha256: r.GetString(3)), ("o", objectId));
        var expected = bag.AllFiles();
        Assert.Equal(expected.Keys.Select(k => $"{objectId}/{k}").Order(), files.Select(f => f.Identifier).Order());
        Assert.Equal("image/png", files.Single(f => f.Identifier.EndsWith("pixel.png", StringComparison.Ordinal)).Format);

        foreach (var f in files)
        {
            var path = f.Identifier[(objectId.Length + 1)..];
            Assert.Equal(TestBag.Sha256(expected[path]), f.Sha256);
            // Two copies, re-read here: their sha256 is the file's.
            Assert.Equal(f.Sha256, await stack.Sha256OfObjectAsync(stack.Storage.StandardHotBucket(), f.Id.ToString()));
            Assert.Equal(f.Sha256, await stack.Sha256OfObjectAsync(stack.Storage.StandardColdBucket(), f.Id.ToString()));
        }
        var copies = await stack.QueryAsync("""
            SELECT count(*) FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o AND s.verified_at IS NOT NULL
            """, r => r.GetInt64(0), ("o", objectId));
        Assert.Equal(expected.Count * 2, copies.Single());

        var events = (await stack.QueryAsync("""
            SELECT e.event_type, e.file_id IS NULL, count(*) FROM registry.premis_events e
            JOIN registry.intellectual_objects o ON o.id = e.object_id WHERE o.identifier = @o GROUP BY 1, 2
            """, r => (Type: r.GetString(0), OnObject: r.GetBoolean(1), Count: r.GetInt64(2)), ("o", objectId)))
            .ToDictionary(e => (e.Type, e.OnObject), e => e.Count);
        var n = expected.Count;
        Assert.Equal(2L * n, events[("fixity check", false)]); // md5 and sha256 manifests
        Assert.Equal(4L * n, events[("message digest calculation", false)]);
        Assert.Equal(n, events[("ingestion", false)]);
        Assert.Equal(n, events[("replication", false)]);
        Assert.Equal(n, events[("identifier assignment", false)]);
        Assert.Equal(1L, events[("creation", true)]);
        Assert.Equal(1L, events[("identifier assignment", true)]);
        Assert.Equal(1L, events[("ingestion", true)]);
        Assert.Equal(1L, events[("access assignment", true)]);

        var ingestId = result.GetProperty("ingestId").GetString()!;
        Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StagingBucket, ingestId + "/"));
        Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.ReceivingBucket, $"{stack.Institution}/{bag.Name}.tar"));
    }
}
