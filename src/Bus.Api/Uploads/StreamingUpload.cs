using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Platform.Storage;

namespace Bus.Api.Uploads;

/// <summary>The stored upload: S3's ETag and the byte count.</summary>
public sealed record UploadResult(string ETag, long Size);

/// <summary>The body is larger than the API accepts (or than S3 can hold in 10,000 parts).</summary>
public sealed class UploadTooLargeException(string message) : Exception(message);

/// <summary>
/// Streams a request body to S3 without holding it whole: a body that fits one part is a single PUT,
/// anything larger a multipart upload in parts of a fixed size, two part buffers at most (one being
/// sent while the next is read). S3's limits (Platform/Storage/S3Limits.cs) are checked before
/// anything is sent; a failed or aborted upload is aborted in S3 so no parts are left behind.
/// </summary>
public static class StreamingUpload
{
    public static async Task<UploadResult> UploadAsync(IAmazonS3 s3, string bucket, string key, Stream body, long? declaredLength,
        long preferredPartBytes, long maxBytes, CancellationToken ct)
    {
        S3Limits.CheckKey(key);
        if (declaredLength > maxBytes) throw new UploadTooLargeException($"{declaredLength} bytes is over the API's limit of {maxBytes}");
        var partBytes = declaredLength is { } n ? S3Limits.PartBytesFor(n, preferredPartBytes) : preferredPartBytes;
        if (declaredLength is { } length)
        {
            try { S3Limits.CheckMultipart(length, partBytes); }
            catch (S3LimitException e) { throw new UploadTooLargeException(e.Message); }
        }
        // Without a Content-Length, 10,000 parts of this size is the most S3 can take.
        var limit = Math.Min(maxBytes, partBytes * S3Limits.MaxParts);

        var current = ArrayPool<byte>.Shared.Rent(checked((int)partBytes));
        var spare = ArrayPool<byte>.Shared.Rent(checked((int)partBytes));
        string? uploadId = null;
        try
        {
            var filled = await body.ReadAtLeastAsync(current.AsMemory(0, (int)partBytes), (int)partBytes, throwOnEndOfStream: false, ct);
            if (filled == 0) throw new ArgumentException("the request body is empty: send the bag tar as the body");
            if (filled > limit) throw new UploadTooLargeException($"the body is over {limit} bytes, the most the API accepts here");
            if (filled < partBytes)
            {
                using var single = new MemoryStream(current, 0, filled, writable: false);
                var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = single, AutoCloseStream = false }, ct);
                return new UploadResult(put.ETag, filled);
            }

            uploadId = (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, ct)).UploadId;
            var parts = new List<PartETag>();
            long total = 0;
            while (filled > 0)
            {
                total += filled;
                if (total > limit) throw new UploadTooLargeException($"the body is over {limit} bytes, the most the API accepts here");
                var partNumber = parts.Count + 1;
                var sending = SendPartAsync(s3, bucket, key, uploadId, partNumber, current, filled, ct);
                // Read the next part while this one is sent.
                int next;
                try
                {
                    next = await body.ReadAtLeastAsync(spare.AsMemory(0, (int)partBytes), (int)partBytes, throwOnEndOfStream: false, ct);
                }
                catch
                {
                    // The part in flight still uses its buffer: let it end before the buffers go back to the pool.
                    try { await sending; } catch (Exception) { }
                    throw;
                }
                parts.Add(await sending);
                (current, spare) = (spare, current);
                filled = next;
            }
            var complete = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = uploadId, PartETags = parts,
            }, ct);
            uploadId = null;
            return new UploadResult(complete.ETag, total);
        }
        finally
        {
            if (uploadId is not null) await AbortAsync(s3, bucket, key, uploadId);
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(spare);
        }
    }

    private static async Task<PartETag> SendPartAsync(IAmazonS3 s3, string bucket, string key, string uploadId, int partNumber, byte[] buffer, int count, CancellationToken ct)
    {
        using var part = new MemoryStream(buffer, 0, count, writable: false);
        var response = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = partNumber, InputStream = part, PartSize = count,
        }, ct);
        return new PartETag(partNumber, response.ETag);
    }

    private static async Task AbortAsync(IAmazonS3 s3, string bucket, string key, string uploadId)
    {
        try
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload") { }
    }
}
