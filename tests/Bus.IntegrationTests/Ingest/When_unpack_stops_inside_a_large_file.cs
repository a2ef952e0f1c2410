using Amazon.S3.Model;
using Bus.BagIt.Scanning;
using Bus.Ingest.Steps;
using Bus.Ingest.Data;
using Bus.Workflows.Steps;
using Bus.Workflows.Copies;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// A file too large for one slice: Unpack stops inside it at a 16 MiB staging part, saves the four
/// digest states and the open staging upload, and its continuation reads on from the next byte of
/// the tar; the ingest completes with the file's true digests and two copies that match, and leaves
/// no multipart upload open (those a crashed Unpack or Store left before a checkpoint included).
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_unpack_stops_inside_a_large_file
{
    [Fact]
    public async Task Should_continue_the_file_in_the_next_slice_and_complete_with_its_true_digests()
    {
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Ingest__TimeSliceSeconds"] = "1",
            // Store copies it in parts too, so CleanUp has a large file whose copies it checks for open uploads.
            ["Bus__Ingest__MultipartCopyThresholdBytes"] = $"{64 * 1024 * 1024}",
            ["Bus__Ingest__MultipartCopyPartBytes"] = $"{48 * 1024 * 1024}",
        });
        var bag = new TestBag("inside-" + Guid.NewGuid().ToString("N")[..8]);
        var big = new byte[6 * StagingSink.PartBytes + 1234]; // seven parts: Unpack of it takes several 1 s slices here
        new Random(7).NextBytes(big);
        bag.Payload["data/big.bin"] = big;

        var id = await stack.SubmitAsync(bag);
        // What a Store process killed right after starting a copy (before any checkpoint) leaves behind.
        var copyKey = ObjectKeys.Preservation(StagingSink.FileIdFor(id, "data/big.bin"));
        await stack.S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = stack.Storage.StandardHotBucket(), Key = copyKey });
        // And what an Unpack process killed between staging parts leaves.
        await stack.S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = stack.Storage.StagingBucket, Key = $"{id}/{Guid.NewGuid()}" });
        await stack.WaitForStateAsync(id, "Completed");
        // The host logs JSON: the quotes around the path are escaped.
        Assert.Contains("inside \\u0027data/big.bin\\u0027 after ", stack.Host!.Process.Stdout, StringComparison.Ordinal);

        var row = (await stack.QueryAsync("SELECT md5, sha1, sha256, sha512 FROM bus.ingest_files WHERE ingest_id = @id AND path = 'data/big.bin'",
            r => (Md5: r.GetString(0), Sha1: r.GetString(1), Sha256: r.GetString(2), Sha512: r.GetString(3)), ("id", id))).Single();
#pragma warning disable CA5350, CA5351 // md5 and sha1 are BagIt fixity values here, not security
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(big)), row.Md5);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(big)), row.Sha1);
#pragma warning restore CA5350, CA5351
        Assert.Equal(TestBag.Sha256(big), row.Sha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(big)), row.Sha512);

        var copy = (await stack.RecordedCopiesAsync($"{stack.Institution}/{bag.Name}")).Where(c => c.File.EndsWith("data/big.bin", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, copy.Count);
        Assert.Equal(TestBag.Sha256(big), await stack.Sha256OfObjectAsync(stack.Storage.StandardHotBucket(), copy.Single(c => c.Bucket == stack.Storage.StandardHotBucket()).Key));
        // The cold copy went in 48 MiB parts (three: 48, 48 and 1,234 bytes): S3's checksum of it is the composite of the parts' sha256, which Verify
        // computed from the staged file (its GET is refused) and Record kept on the storage record.
        var coldKey = copy.Single(c => c.Bucket == stack.Storage.StandardColdBucket()).Key;
        var cold = await stack.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = stack.Storage.StandardColdBucket(), Key = coldKey, ChecksumMode = Amazon.S3.ChecksumMode.ENABLED,
        });
        const int part = 48 * 1024 * 1024;
        var composite = CopyChecksums.Composite(big.Chunk(part).Select(System.Security.Cryptography.SHA256.HashData).ToList());
        Assert.True(CopyChecksums.Matches(composite, cold.ChecksumSHA256), $"{composite} vs {cold.ChecksumSHA256}");
        var recorded = await stack.QueryAsync("SELECT checksum_sha256 FROM registry.storage_records WHERE bucket = @b AND key = @k",
            r => r.GetString(0), ("b", stack.Storage.StandardColdBucket()), ("k", coldKey));
        Assert.Equal(cold.ChecksumSHA256, recorded.Single());
        var staging = await stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = stack.Storage.StagingBucket, Prefix = id + "/" });
        Assert.Empty(staging.MultipartUploads ?? []);
        var copies = await stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = stack.Storage.StandardHotBucket(), Prefix = copyKey });
        Assert.DoesNotContain(copies.MultipartUploads ?? [], u => u.Key == copyKey);
    }

    /// <summary>The staging upload a checkpoint names was aborted meanwhile (a lifecycle rule, an operator): refused, never continued into nothing.</summary>
    [Fact]
    public async Task Should_refuse_to_continue_a_staging_upload_that_is_gone()
    {
        await using var stack = await IngestStack.StartAsync(startHost: false);
        var sink = new StagingSink(stack.S3, new S3Resilience(), stack.Storage.StagingBucket, Guid.NewGuid());
        var entry = new BagEntry("data/x.bin", 2L * StagingSink.PartBytes + 5, BagEntryKind.RegularFile);
        var bytes = new byte[entry.Size];
        new Random(3).NextBytes(bytes);
        var state = await sink.WritePausableAsync(entry, new MemoryStream(bytes), 0, null, () => true, CancellationToken.None);
        Assert.NotNull(state);

        await sink.DiscardAsync(entry, state, CancellationToken.None);

        var rest = new MemoryStream(bytes, StagingSink.PartBytes, bytes.Length - StagingSink.PartBytes);
        var refused = await Assert.ThrowsAsync<PartialFileRefusedException>(() =>
            sink.WritePausableAsync(entry, rest, StagingSink.PartBytes, state, () => false, CancellationToken.None));
        Assert.Contains("is gone", refused.Message, StringComparison.Ordinal);
    }
}
