using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Storage;

/// <summary>
/// Server-side copies from staging to a preservation bucket (multipart UploadPartCopy for large
/// objects: S3 refuses a single CopyObject over 5 GiB) and re-reads that recompute a copy's sha256.
/// The object's bytes never pass through this process except when verifying.
/// </summary>
public sealed class PreservationCopier(IAmazonS3 s3, S3Resilience resilience, IOptions<StorageOptions> storage, IOptions<IngestOptions> options)
{
    public string BucketFor(string role) => role == "primary" ? storage.Value.PrimaryBucket : storage.Value.ReplicaBucket;

    public async Task<string> CopyAsync(string stagingKey, string role, string key, long size, IDictionary<string, string> metadata, CancellationToken ct)
    {
        var source = storage.Value.StagingBucket;
        var bucket = BucketFor(role);
        if (size < options.Value.MultipartCopyThresholdBytes)
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = source, SourceKey = stagingKey, DestinationBucket = bucket, DestinationKey = key,
                MetadataDirective = S3MetadataDirective.REPLACE,
            };
            foreach (var (k, v) in metadata) request.Metadata.Add(k, v);
            var response = await resilience.RunAsync(async c => await s3.CopyObjectAsync(request, c), ct);
            return response.ETag;
        }
        var init = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
        foreach (var (k, v) in metadata) init.Metadata.Add(k, v);
        var upload = await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(init, c), ct);
        try
        {
            var parts = new List<PartETag>();
            var partSize = options.Value.MultipartCopyPartBytes;
            for (long offset = 0, number = 1; offset < size; offset += partSize, number++)
            {
                var part = new CopyPartRequest
                {
                    SourceBucket = source, SourceKey = stagingKey, DestinationBucket = bucket, DestinationKey = key,
                    UploadId = upload.UploadId, PartNumber = (int)number, FirstByte = offset, LastByte = Math.Min(offset + partSize, size) - 1,
                };
                var copied = await resilience.RunAsync(async c => await s3.CopyPartAsync(part, c), ct);
                parts.Add(new PartETag((int)number, copied.ETag));
            }
            var done = await resilience.RunAsync(async c => await s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, c), ct);
            return done.ETag;
        }
        catch
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Reads the whole copy back and returns its sha256 in lower-case hex (streamed, never buffered whole).</summary>
    public async Task<string> Sha256Async(string bucket, string key, CancellationToken ct) =>
        await resilience.RunAsync(async c =>
        {
            using var response = await s3.GetObjectAsync(bucket, key, c);
            await using var body = response.ResponseStream;
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(body, c));
        }, ct);

    /// <summary>Deletes every object under <paramref name="prefix"/>; returns how many.</summary>
    public async Task<int> DeletePrefixAsync(string bucket, string prefix, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var page = await resilience.RunAsync(async c => await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 }, c), ct);
            if (page.S3Objects is not { Count: > 0 } objects) return deleted;
            await resilience.RunAsync(async c => await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket, Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
            }, c), ct);
            deleted += objects.Count;
        }
    }

    public async Task DeleteAsync(string bucket, string key, CancellationToken ct) =>
        await resilience.RunAsync(async c => await s3.DeleteObjectAsync(bucket, key, c), ct);
}
