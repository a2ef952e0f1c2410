using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Ingest.Data;
using Bus.Platform.Hashing;
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

    private const int ReadBlockBytes = 1024 * 1024;

    /// <summary>
    /// Reads a copy back and computes its sha256, from <paramref name="from"/> (a checkpoint of an earlier
    /// slice) or from the start, until the end or until <paramref name="shouldStop"/>, asked after each
    /// 1 MiB block, says the slice is spent: then it returns where it stopped, with the hash state. A
    /// continuation reads only that version (If-Match its ETag); if the copy was replaced meanwhile, or the
    /// saved state cannot be restored, the read starts again from byte 0: never a digest mixing two versions.
    /// </summary>
    public async Task<CopySha256Read> ReadSha256Async(string bucket, string key, CopyReadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        if (from is not null && Restore(from) is null) from = null;
        try
        {
            return await resilience.RunAsync(async c => await ReadSliceAsync(bucket, key, from, shouldStop, c), ct);
        }
        catch (AmazonS3Exception e) when (from is not null && e.StatusCode == System.Net.HttpStatusCode.PreconditionFailed)
        {
            return await resilience.RunAsync(async c => await ReadSliceAsync(bucket, key, null, shouldStop, c), ct);
        }
    }

    private async Task<CopySha256Read> ReadSliceAsync(string bucket, string key, CopyReadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        // Restored on every attempt: a retried attempt must not hash the retried bytes twice.
        var hash = from is null ? ResumableHash.Create("sha256") : Restore(from)!;
        var offset = from?.Offset ?? 0;
        using var response = await s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket, Key = key,
            ByteRange = from is null ? null : new ByteRange($"bytes={from.Offset}-"),
            EtagToMatch = from?.ETag,
        }, ct);
        var size = offset + response.ContentLength;
        await using var body = response.ResponseStream;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBlockBytes);
        try
        {
            int n;
            while ((n = await body.ReadAtLeastAsync(buffer.AsMemory(0, ReadBlockBytes), ReadBlockBytes, throwOnEndOfStream: false, ct)) > 0)
            {
                hash.Append(buffer.AsSpan(0, n));
                offset += n;
                if (offset < size && shouldStop())
                    return new CopySha256Read.Paused(new CopyReadCheckpoint(offset, response.ETag, hash.SaveState()));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (offset != size) throw new IOException($"{bucket}/{key}: the read ended at byte {offset} of {size}");
        return new CopySha256Read.Done(hash.FinishHex());
    }

    /// <summary>The checkpoint's hash, or null when its state is refused or does not match its offset (read again from 0).</summary>
    private static ResumableHash? Restore(CopyReadCheckpoint from)
    {
        try
        {
            var hash = ResumableHash.Restore(from.Sha256State, "sha256");
            return hash.BytesHashed == from.Offset ? hash : null;
        }
        catch (HashStateException)
        {
            return null;
        }
    }

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
