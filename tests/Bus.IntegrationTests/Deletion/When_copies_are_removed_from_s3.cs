using Amazon.S3;
using Amazon.S3.Model;
using Bus.Deletion.Data;
using Bus.Deletion.Storage;
using Bus.Platform;
using Bus.Platform.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Bus.Workflows.Steps;

namespace Bus.IntegrationTests.Deletion;

public sealed class When_copies_are_removed_from_s3
{
    private static readonly StorageOptions Storage = new();

    [Fact]
    public async Task A_present_copy_is_removed_and_a_missing_key_counts_as_done_but_a_missing_bucket_fails()
    {
        using var s3 = StorageClientFactory.Create(Storage);
        var copies = new S3StorageCopies(s3, new S3Resilience(), NullLogger<S3StorageCopies>.Instance);
        var key = $"deletion-test/{Guid.NewGuid():N}";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Storage.PrimaryBucket, Key = key, ContentBody = "x" });
        var copy = new StoredCopy("test.edu/bag/data/x", Storage.PrimaryBucket, key, "Standard", DateTimeOffset.UtcNow);

        await copies.RemoveAsync(copy, CancellationToken.None);
        await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Storage.PrimaryBucket, key));
        await copies.RemoveAsync(copy, CancellationToken.None);

        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            copies.RemoveAsync(copy with { Bucket = $"bus-nosuch-{Guid.NewGuid():N}"[..28] }, CancellationToken.None));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        Assert.False(TransientErrors.IsS3Transient(e));
    }
}
