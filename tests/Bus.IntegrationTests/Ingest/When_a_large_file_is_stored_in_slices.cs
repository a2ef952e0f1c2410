using System.Security.Cryptography;
using Amazon.S3.Model;
using Bus.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Steps;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.IntegrationTests.Ingest;

/// <summary>Store's multipart copy of a large file, one 5 MiB part per slice, against the shared moto_server.</summary>
public sealed class When_a_large_file_is_stored_in_slices : IAsyncLifetime
{
    private const long PartBytes = 5 * 1024 * 1024;
    private const int Size = 12 * 1024 * 1024 + 12345;
    private readonly StorageOptions _storage = new();
    private readonly Amazon.S3.IAmazonS3 _s3;
    private readonly string _staged = $"store-slices-{Guid.NewGuid():N}";
    private readonly string _key = $"store-slices-{Guid.NewGuid():N}";
    private readonly Dictionary<string, string> _metadata = new() { ["sha256"] = "x", ["bag"] = "b" };
    private string _sha256 = "";

    public When_a_large_file_is_stored_in_slices() => _s3 = StorageClientFactory.Create(_storage);

    private PreservationCopier Copier(long partBytes) => new(new CopyWriter(_s3, new S3Resilience()), new CopyRemover(_s3, new S3Resilience()), Options.Create(_storage),
        Options.Create(new IngestOptions { MultipartCopyThresholdBytes = PartBytes, MultipartCopyPartBytes = partBytes }));

    /// <summary>Copies slice after slice, one part each, as continuations would; <paramref name="between"/> runs after each pause.</summary>
    private async Task<List<int>> StoreInSlicesAsync(Func<CopyUploadCheckpoint, Task<(CopyUploadCheckpoint, long)>>? between = null)
    {
        var partsAtPause = new List<int>();
        CopyUploadCheckpoint? from = null;
        var partBytes = PartBytes;
        for (var slice = 0; slice < 20; slice++)
        {
            var copier = Copier(partBytes);
            switch (await copier.CopyAsync(_staged, copier.CopyFor(StandardOption.Name, "primary"), _key, Size, _metadata, from, () => true, CancellationToken.None))
            {
                case CopyResult.Done:
                    return partsAtPause;
                case CopyResult.Paused paused:
                    partsAtPause.Add(paused.Checkpoint.PartETags.Count);
                    (from, partBytes) = between is null ? (paused.Checkpoint, partBytes) : await between(paused.Checkpoint);
                    break;
            }
        }
        throw new InvalidOperationException("the copy never finished");
    }

    private async Task AssertWholeCopyAsync()
    {
        using var copy = await _s3.GetObjectAsync(_storage.StandardHotBucket(), _key);
        Assert.Equal("b", copy.Metadata["bag"]);
        await using var body = copy.ResponseStream;
        Assert.Equal(_sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(body)));
    }

    [Fact]
    public async Task Should_continue_the_same_upload_part_after_part_and_end_with_the_whole_file()
    {
        Assert.Equal([1, 2], await StoreInSlicesAsync());
        await AssertWholeCopyAsync();
    }

    [Fact]
    public async Task Should_start_over_when_the_saved_upload_is_gone()
    {
        var aborted = false;
        var pauses = await StoreInSlicesAsync(async checkpoint =>
        {
            if (!aborted && checkpoint.PartETags.Count == 2)
            {
                aborted = true;
                await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _storage.StandardHotBucket(), Key = _key, UploadId = checkpoint.UploadId });
            }
            return (checkpoint, PartBytes);
        });
        Assert.Equal([1, 2, 1, 2], pauses);
        await AssertWholeCopyAsync();
    }

    [Fact]
    public async Task Should_start_over_when_the_part_size_changed_between_slices()
    {
        var pauses = await StoreInSlicesAsync(checkpoint => Task.FromResult((checkpoint, 6L * 1024 * 1024)));
        // After the change the upload starts over in 6 MiB parts: pauses after its parts 1 and 2, then ends with part 3.
        Assert.Equal([1, 1, 2], pauses);
        await AssertWholeCopyAsync();
    }

    [Fact]
    public async Task A_cold_multipart_copy_carries_the_composite_checksum_of_its_parts_which_the_staged_file_gives()
    {
        var copier = Copier(PartBytes);
        var cold = copier.CopyFor(StandardOption.Name, "replica");
        Assert.True(cold.IsCold);
        await copier.CopyAsync(_staged, cold, _key, Size, _metadata, CancellationToken.None);
        try
        {
            var checksums = new CopyChecksums(_s3, new S3Resilience());
            var head = await checksums.HeadAsync(cold.Bucket, _key, CancellationToken.None);
            Assert.Equal("GLACIER", head!.StorageClass);
            var staged = await checksums.CompositeFromSourceAsync(_storage.StagingBucket, _staged, Size, PartBytes, CancellationToken.None);
            Assert.Equal(_sha256, staged!.Value.Sha256Hex);
            Assert.EndsWith("-3", staged.Value.Composite, StringComparison.Ordinal);
            Assert.True(CopyChecksums.Matches(staged.Value.Composite, head.ChecksumSha256), $"{staged.Value.Composite} vs {head.ChecksumSha256}");
            Assert.False(CopyChecksums.Matches(CopyChecksums.FromHex(_sha256), head.ChecksumSha256));
        }
        finally
        {
            await _s3.DeleteObjectAsync(cold.Bucket, _key);
        }
    }

    public async Task InitializeAsync()
    {
        var bytes = new byte[Size];
        new Random(7).NextBytes(bytes);
        _sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _storage.StagingBucket, Key = _staged, InputStream = new MemoryStream(bytes) });
    }

    public async Task DisposeAsync()
    {
        await _s3.DeleteObjectAsync(_storage.StagingBucket, _staged);
        await _s3.DeleteObjectAsync(_storage.StandardHotBucket(), _key);
        _s3.Dispose();
    }
}
