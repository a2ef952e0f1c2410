using Bus.Workflows.Steps;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Workflows.Copies;

namespace Bus.IntegrationTests.Copies;

public sealed class When_copies_are_removed_from_s3
{
    private static readonly StorageOptions Storage = new();

    [Fact]
    public async Task A_present_copy_is_removed_and_a_missing_key_counts_as_done_but_a_missing_bucket_fails()
    {
        using var s3 = StorageClientFactory.Create(Storage);
        var copies = new CopyRemover(s3, new S3Resilience());
        var key = $"deletion-test/{Guid.NewGuid():N}";
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Storage.StandardHotBucket(), Key = key, ContentBody = "x" });
        var copy = new CopyObjectRef(Storage.StandardHotBucket(), key);

        await copies.RemoveAsync(copy.Bucket, copy.Key, CancellationToken.None);
        await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Storage.StandardHotBucket(), key));
        await copies.RemoveAsync(copy.Bucket, copy.Key, CancellationToken.None);

        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            copies.RemoveAsync($"bus-nosuch-{Guid.NewGuid():N}"[..28], copy.Key, CancellationToken.None));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        Assert.False(TransientErrors.IsS3Transient(e));
    }

    [Fact]
    public async Task Several_keys_go_in_one_batch_where_missing_keys_count_as_done_but_a_missing_bucket_fails()
    {
        using var s3 = StorageClientFactory.Create(Storage);
        var copies = new CopyRemover(s3, new S3Resilience());
        var keys = Enumerable.Range(0, 3).Select(i => $"deletion-test/{Guid.NewGuid():N}/{i}").ToList();
        foreach (var key in keys.Take(2))
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = Storage.StandardHotBucket(), Key = key, ContentBody = "x" });

        await copies.RemoveManyAsync(Storage.StandardHotBucket(), keys, CancellationToken.None);
        foreach (var key in keys)
            await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Storage.StandardHotBucket(), key));

        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            copies.RemoveManyAsync($"bus-nosuch-{Guid.NewGuid():N}"[..28], keys, CancellationToken.None));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
    }
}
