using Amazon.S3;
using Amazon.S3.Model;
using Bus.IntegrationTests.Support;
using Bus.Workflows.Copies;

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
            // The Standard option's two copies: the hot one re-read here (its sha256 is the file's); the cold one, in
            // another bucket, is GLACIER: its GET is refused, and S3's own checksum of it is the file's sha256.
            Assert.Equal(f.Sha256, await stack.Sha256OfObjectAsync(stack.Storage.StandardHotBucket(), f.Id.ToString()));
            var cold = await stack.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = stack.Storage.StandardColdBucket(), Key = f.Id.ToString(), ChecksumMode = ChecksumMode.ENABLED,
            });
            Assert.Equal("GLACIER", cold.StorageClass?.Value);
            Assert.Equal(CopyChecksums.FromHex(f.Sha256), cold.ChecksumSHA256);
            var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stack.S3.GetObjectAsync(stack.Storage.StandardColdBucket(), f.Id.ToString()));
            Assert.Equal("InvalidObjectState", refused.ErrorCode);
        }
        var copies = await stack.QueryAsync("""
            SELECT count(*) FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id WHERE o.identifier = @o AND s.verified_at IS NOT NULL
            """, r => r.GetInt64(0), ("o", objectId));
        Assert.Equal(expected.Count * 2, copies.Single());
        var recorded = await stack.QueryAsync("""
            SELECT s.bucket, s.copy_name, s.storage_class, s.tier, count(*), count(s.checksum_sha256) FROM registry.storage_records s
            JOIN registry.generic_files f ON f.id = s.file_id JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o GROUP BY 1, 2, 3, 4 ORDER BY 2 DESC
            """, r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5)), ("o", objectId));
        // The cold copy's record keeps the checksum it was verified by, for fixity to compare without a restore.
        Assert.Equal([(stack.Storage.StandardHotBucket(), "hot", "STANDARD", "hot", (long)expected.Count, 0L),
                      (stack.Storage.StandardColdBucket(), "cold", "GLACIER", "cold", expected.Count, expected.Count)], recorded);

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
