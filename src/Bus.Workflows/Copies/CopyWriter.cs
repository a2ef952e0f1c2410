using Bus.Workflows.Steps;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Platform.Storage;

namespace Bus.Workflows.Copies;

/// <summary>When a copy goes in parts, and how big they are.</summary>
/// <param name="MultipartFromBytes">Objects this size and larger are copied with multipart UploadPartCopy.</param>
/// <param name="PartBytes">The size of each part but the last.</param>
public sealed record CopyParts(long MultipartFromBytes, long PartBytes)
{
    /// <summary>One CopyObject up to S3's 5 GiB limit; above it 512 MiB parts, larger from 5,000 GiB so a copy up to 5 TiB fits 10,000 parts.</summary>
    public static CopyParts WholeFor(long size) => new(S3Limits.MaxSingleRequestBytes + 1, S3Limits.PartBytesFor(size, 512L * 1024 * 1024));
}

/// <summary>
/// How the target object is written: its S3 storage class (null: the bucket's default, STANDARD) and whether
/// S3 computes a SHA-256 checksum of what it stored (<c>x-amz-checksum-sha256</c>; a multipart copy gets the
/// composite of its parts' checksums, see <see cref="CopyChecksums"/>).
/// </summary>
public sealed record CopyWriteOptions(string? StorageClass = null, bool Sha256Checksum = false)
{
    public static CopyWriteOptions Plain { get; } = new();
}

/// <summary>
/// The one writer of copies: server-side copies from one bucket to another (multipart UploadPartCopy for
/// large objects: S3 refuses a single CopyObject over 5 GiB). The object's bytes never pass through this
/// process. Every request goes through <see cref="S3Resilience"/>. Workflow-neutral: buckets, keys,
/// metadata and part sizes are the caller's.
/// </summary>
public sealed class CopyWriter(IAmazonS3 s3, S3Resilience resilience)
{
    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> in one go (no slicing), keeping the source's
    /// metadata: a repair overwriting a damaged copy from a good one. Asks the source's size first.
    /// </summary>
    public async Task CopyWholeAsync(string sourceBucket, string sourceKey, string targetBucket, string targetKey, CopyWriteOptions write, CancellationToken ct)
    {
        var size = (await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(sourceBucket, sourceKey, c), ct)).ContentLength;
        await CopyAsync(new CopyObjectRef(sourceBucket, sourceKey), new CopyObjectRef(targetBucket, targetKey), size, null, CopyParts.WholeFor(size), write, null, () => false, ct);
    }

    /// <summary>Copies an object in one go (never pauses); returns the copy's ETag.</summary>
    public async Task<string> CopyAsync(CopyObjectRef source, CopyObjectRef target, long size, IDictionary<string, string>? metadata, CopyParts parts,
        CopyWriteOptions write, CancellationToken ct) =>
        ((CopyResult.Done)await CopyAsync(source, target, size, metadata, parts, write, null, () => false, ct)).ETag;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/>, server-side: one CopyObject, or from
    /// <see cref="CopyParts.MultipartFromBytes"/> a multipart UploadPartCopy. <paramref name="metadata"/> replaces the
    /// source's user metadata; null keeps it (a single CopyObject) or writes none (multipart). A multipart copy asks
    /// <paramref name="shouldStop"/> after each part and, when the slice is spent, returns the open upload and its
    /// parts so a continuation goes on from <paramref name="from"/>. An upload that is gone (aborted, expired) or
    /// was cut in other part sizes starts again: the copy is always whole.
    /// </summary>
    public async Task<CopyResult> CopyAsync(CopyObjectRef source, CopyObjectRef target, long size, IDictionary<string, string>? metadata, CopyParts parts,
        CopyWriteOptions write, CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        // Checked before anything is sent: moto accepts what S3 refuses (2 KB of metadata, 1,024-byte keys).
        S3Limits.CheckKey(target.Key);
        if (metadata is not null) S3Limits.CheckMetadata(metadata);
        if (size < parts.MultipartFromBytes)
        {
            S3Limits.CheckSingleRequest(size);
            var request = new CopyObjectRequest
            {
                SourceBucket = source.Bucket, SourceKey = source.Key, DestinationBucket = target.Bucket, DestinationKey = target.Key,
            };
            if (write.StorageClass is not null) request.StorageClass = S3StorageClass.FindValue(write.StorageClass);
            if (write.Sha256Checksum) request.ChecksumAlgorithm = ChecksumAlgorithm.SHA256;
            if (metadata is not null)
            {
                request.MetadataDirective = S3MetadataDirective.REPLACE;
                foreach (var (k, v) in metadata) request.Metadata.Add(k, v);
            }
            var response = await resilience.RunAsync(async c => await s3.CopyObjectAsync(request, c), ct);
            return new CopyResult.Done(response.ETag);
        }
        var partSize = parts.PartBytes;
        S3Limits.CheckMultipart(size, partSize);
        if (from is not null && from.PartBytes != partSize)
        {
            await AbortAsync(target.Bucket, target.Key, from.UploadId);
            from = null;
        }
        if (from is not null && !await MultipartUploads.ExistsAsync(s3, resilience, target.Bucket, target.Key, from.UploadId, ct)) from = null;
        try
        {
            return await CopyPartsAsync(source, target, size, metadata, partSize, write, from, shouldStop, ct);
        }
        catch (AmazonS3Exception e) when (from is not null && e.ErrorCode == "NoSuchUpload")
        {
            return await CopyPartsAsync(source, target, size, metadata, partSize, write, null, shouldStop, ct);
        }
    }

    private async Task<CopyResult> CopyPartsAsync(CopyObjectRef source, CopyObjectRef target, long size, IDictionary<string, string>? metadata,
        long partSize, CopyWriteOptions write, CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        string uploadId;
        if (from is not null) uploadId = from.UploadId;
        else
        {
            var init = new InitiateMultipartUploadRequest { BucketName = target.Bucket, Key = target.Key };
            if (write.StorageClass is not null) init.StorageClass = S3StorageClass.FindValue(write.StorageClass);
            if (write.Sha256Checksum) init.ChecksumAlgorithm = ChecksumAlgorithm.SHA256;
            foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) init.Metadata.Add(k, v);
            uploadId = (await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(init, c), ct)).UploadId;
        }
        try
        {
            var etags = from?.PartETags.ToList() ?? [];
            for (var offset = etags.Count * partSize; offset < size; offset += partSize)
            {
                var part = new CopyPartRequest
                {
                    SourceBucket = source.Bucket, SourceKey = source.Key, DestinationBucket = target.Bucket, DestinationKey = target.Key,
                    UploadId = uploadId, PartNumber = etags.Count + 1, FirstByte = offset, LastByte = Math.Min(offset + partSize, size) - 1,
                };
                // A part's checksum (when S3 reports one) is not kept: CompleteMultipartUpload needs only the ETags for copied parts.
                etags.Add((await resilience.RunAsync(async c => await s3.CopyPartAsync(part, c), ct)).ETag);
                if (offset + partSize < size && shouldStop()) return new CopyResult.Paused(new CopyUploadCheckpoint(uploadId, partSize, etags));
            }
            var partChecksums = write.Sha256Checksum ? await PartChecksumsAsync(target, uploadId, ct) : new Dictionary<int, string>();
            var done = await resilience.RunAsync(async c => await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = target.Bucket, Key = target.Key, UploadId = uploadId,
                PartETags = etags.Select((etag, i) => new PartETag(i + 1, etag) { ChecksumSHA256 = partChecksums.GetValueOrDefault(i + 1) }).ToList(),
            }, c), ct);
            return new CopyResult.Done(done.ETag);
        }
        catch (Exception e) when (from is null && e is not OperationCanceledException)
        {
            // Nothing saved refers to a fresh upload: abort it. A resumed one stays for the retry to continue.
            await AbortAsync(target.Bucket, target.Key, uploadId);
            throw;
        }
    }

    /// <summary>
    /// The SHA-256 checksums S3 computed for the upload's parts, by part number: S3 wants them back in
    /// CompleteMultipartUpload when the upload was created with a checksum algorithm. Listed rather than kept
    /// from each part's response, so a checkpoint (ETags only) resumes unchanged. A server that reports none
    /// (moto) gets none.
    /// </summary>
    private async Task<Dictionary<int, string>> PartChecksumsAsync(CopyObjectRef target, string uploadId, CancellationToken ct)
    {
        var checksums = new Dictionary<int, string>();
        int? marker = null;
        while (true)
        {
            var request = new ListPartsRequest { BucketName = target.Bucket, Key = target.Key, UploadId = uploadId, MaxParts = 1000 };
            if (marker is { } m) request.PartNumberMarker = m.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var page = await resilience.RunAsync(async c => await s3.ListPartsAsync(request, c), ct);
            foreach (var part in page.Parts ?? [])
                if (part.PartNumber is { } n && !string.IsNullOrEmpty(part.ChecksumSHA256)) checksums[n] = part.ChecksumSHA256;
            if (page.IsTruncated != true || page.NextPartNumberMarker is null) return checksums;
            marker = page.NextPartNumberMarker;
        }
    }

    /// <summary>Aborts a multipart upload; one that is already gone is fine.</summary>
    public Task AbortAsync(string bucket, string key, string uploadId) => MultipartUploads.AbortAsync(s3, bucket, key, uploadId);
}

/// <summary>An object in a bucket.</summary>
public sealed record CopyObjectRef(string Bucket, string Key);
