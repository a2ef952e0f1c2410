using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Copies;

namespace Bus.IntegrationTests.Ingest;

/// <summary>Each storage option keeps the copies it lists, in their buckets and storage classes (docs/ingest.md).</summary>
[Collection(IngestStack.Collection)]
public sealed class When_a_bag_asks_for_a_storage_option
{
    private static Task<List<(Guid FileId, string Bucket, string Key, string Class, string Tier, string? Checksum, bool Verified, string Sha256)>> CopiesAsync(
        IngestStack stack, string objectId) =>
        stack.QueryAsync("""
            SELECT f.id, s.bucket, s.key, s.storage_class, s.tier, s.checksum_sha256, s.verified_at IS NOT NULL,
                   (SELECT c.digest FROM registry.checksums c WHERE c.file_id = f.id AND c.algorithm = 'sha256' AND c.source = 'ingest' LIMIT 1)
            FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o
            """, r => (r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetBoolean(6), r.GetString(7)),
            ("o", objectId));

    [Fact]
    public async Task Glacier_deep_keeps_one_deep_archive_copy_verified_by_its_s3_checksum_whose_get_is_refused()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("deep-" + Guid.NewGuid().ToString("N")[..8]) { StorageOption = "Glacier-Deep-OH" };

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);

        Assert.True(exit == 0, result.ToString());
        var copies = await CopiesAsync(stack, $"{stack.Institution}/{bag.Name}");
        Assert.Equal(bag.AllFiles().Count, copies.Count);
        foreach (var c in copies)
        {
            Assert.Equal(("bus-preservation-oh", "DEEP_ARCHIVE", "cold", true), (c.Bucket, c.Class, c.Tier, c.Verified));
            Assert.Equal(CopyChecksums.FromHex(c.Sha256), c.Checksum);
            var head = await stack.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = c.Bucket, Key = c.Key, ChecksumMode = ChecksumMode.ENABLED });
            Assert.Equal("DEEP_ARCHIVE", head.StorageClass?.Value);
            Assert.Equal(c.Checksum, head.ChecksumSHA256);
            var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stack.S3.GetObjectAsync(c.Bucket, c.Key));
            Assert.Equal("InvalidObjectState", refused.ErrorCode);
            Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StandardHotBucket(), c.FileId.ToString()));
        }
        var verification = await stack.QueryAsync("""
            SELECT e.detail FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @o AND e.event_type = 'ingestion' AND e.file_id IS NOT NULL
            """, r => r.GetString(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.All(verification, d => Assert.Equal("stored as the cold copy (DEEP_ARCHIVE) and verified by S3's SHA-256 checksum", d));
        var replications = await stack.QueryAsync("""
            SELECT count(*) FROM registry.premis_events e JOIN registry.intellectual_objects o ON o.id = e.object_id
            WHERE o.identifier = @o AND e.event_type = 'replication'
            """, r => r.GetInt64(0), ("o", $"{stack.Institution}/{bag.Name}"));
        Assert.Equal(0, replications.Single());
    }

    [Fact]
    public async Task Wasabi_keeps_one_hot_copy_re_read_in_full_and_a_reingest_asking_another_option_is_rejected()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("wasabi-" + Guid.NewGuid().ToString("N")[..8]) { StorageOption = "Wasabi-TX" };

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);

        Assert.True(exit == 0, result.ToString());
        var objectId = $"{stack.Institution}/{bag.Name}";
        var copies = await CopiesAsync(stack, objectId);
        Assert.Equal(bag.AllFiles().Count, copies.Count);
        foreach (var c in copies)
        {
            Assert.Equal(("bus-wasabi-tx", "STANDARD", "hot", true), (c.Bucket, c.Class, c.Tier, c.Verified));
            Assert.Equal(c.Sha256, await stack.Sha256OfObjectAsync(c.Bucket, c.Key));
        }

        // The same bag again asking for Standard: the object keeps Wasabi-TX, so the reingest is rejected and stores nothing.
        bag.StorageOption = "Standard";
        bag.Payload["data/report.txt"] = "changed\n"u8.ToArray();
        var (rejectedExit, rejected) = await stack.SubmitAndWaitAsync(bag);

        Assert.Equal(3, rejectedExit);
        Assert.Equal("Rejected", rejected.GetProperty("state").GetString());
        var reason = Assert.Single(rejected.GetProperty("rejections").EnumerateArray());
        Assert.Equal("storage-option-changed", reason.GetProperty("code").GetString());
        Assert.Contains("'Wasabi-TX'", reason.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(copies.Select(c => c.Key).Order(), (await CopiesAsync(stack, objectId)).Select(c => c.Key).Order());
    }
}
