using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Ingest.Data;
using Bus.Hashing;
using Bus.Platform.Options;
using Bus.Platform.Storage;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Ingest.Storage;

/// <summary>
/// Server-side copies from staging to a preservation bucket (multipart UploadPartCopy for large
/// objects: S3 refuses a single CopyObject over 5 GiB) and re-reads that recompute a copy's sha256.
/// The object's bytes never pass through this process except when verifying.
/// </summary>
public sealed class PreservationCopier(IAmazonS3 s3, S3Resilience resilience, IOptions<StorageOptions> storage, IOptions<IngestOptions> options)
{
    public string BucketFor(string role) => role == "primary" ? storage.Value.PrimaryBucket : storage.Value.ReplicaBucket;

    /// <summary>The buckets every preserved file must have a verified copy in (one per copy role).</summary>
    public IReadOnlyList<string> RequiredBuckets => [BucketFor("primary"), BucketFor("replica")];

    /// <summary>Copies a staged file to a preservation bucket in one go; returns the copy's ETag.</summary>
    public async Task<string> CopyAsync(string stagingKey, string role, string key, long size, IDictionary<string, string> metadata, CancellationToken ct) =>
        ((CopyResult.Done)await CopyAsync(stagingKey, role, key, size, metadata, null, () => false, ct)).ETag;

    /// <summary>
    /// Copies a staged file to a preservation bucket, server-side: one CopyObject, or from
    /// <see cref="IngestOptions.MultipartCopyThresholdBytes"/> a multipart UploadPartCopy (S3 refuses a
    /// single CopyObject over 5 GiB). A multipart copy asks <paramref name="shouldStop"/> after each part
    /// and, when the slice is spent, returns the open upload and its parts so a continuation goes on from
    /// <paramref name="from"/>. An upload that is gone (aborted, expired) or was cut in other part sizes
    /// starts again: the copy is always whole.
    /// </summary>
    public async Task<CopyResult> CopyAsync(string stagingKey, string role, string key, long size, IDictionary<string, string> metadata,
        CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        var source = storage.Value.StagingBucket;
        var bucket = BucketFor(role);
        // Checked before anything is sent: moto accepts what S3 refuses (2 KB of metadata, 1,024-byte keys).
        S3Limits.CheckKey(key);
        S3Limits.CheckMetadata(metadata);
        if (size < options.Value.MultipartCopyThresholdBytes)
        {
            S3Limits.CheckSingleRequest(size);
            var request = new CopyObjectRequest
            {
                SourceBucket = source, SourceKey = stagingKey, DestinationBucket = bucket, DestinationKey = key,
                MetadataDirective = S3MetadataDirective.REPLACE,
            };
            foreach (var (k, v) in metadata) request.Metadata.Add(k, v);
            var response = await resilience.RunAsync(async c => await s3.CopyObjectAsync(request, c), ct);
            return new CopyResult.Done(response.ETag);
        }
        var partSize = options.Value.MultipartCopyPartBytes;
        S3Limits.CheckMultipart(size, partSize);
        if (from is not null && from.PartBytes != partSize)
        {
            await AbortAsync(bucket, key, from.UploadId);
            from = null;
        }
        if (from is not null && !await MultipartUploads.ExistsAsync(s3, resilience, bucket, key, from.UploadId, ct)) from = null;
        try
        {
            return await CopyPartsAsync(source, stagingKey, bucket, key, size, metadata, partSize, from, shouldStop, ct);
        }
        catch (AmazonS3Exception e) when (from is not null && e.ErrorCode == "NoSuchUpload")
        {
            return await CopyPartsAsync(source, stagingKey, bucket, key, size, metadata, partSize, null, shouldStop, ct);
        }
    }

    private async Task<CopyResult> CopyPartsAsync(string source, string stagingKey, string bucket, string key, long size, IDictionary<string, string> metadata,
        long partSize, CopyUploadCheckpoint? from, Func<bool> shouldStop, CancellationToken ct)
    {
        string uploadId;
        if (from is not null) uploadId = from.UploadId;
        else
        {
            var init = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
            foreach (var (k, v) in metadata) init.Metadata.Add(k, v);
            uploadId = (await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(init, c), ct)).UploadId;
        }
        try
        {
            var parts = from?.PartETags.ToList() ?? [];
            for (var offset = parts.Count * partSize; offset < size; offset += partSize)
            {
                var part = new CopyPartRequest
                {
                    SourceBucket = source, SourceKey = stagingKey, DestinationBucket = bucket, DestinationKey = key,
                    UploadId = uploadId, PartNumber = parts.Count + 1, FirstByte = offset, LastByte = Math.Min(offset + partSize, size) - 1,
                };
                parts.Add((await resilience.RunAsync(async c => await s3.CopyPartAsync(part, c), ct)).ETag);
                if (offset + partSize < size && shouldStop()) return new CopyResult.Paused(new CopyUploadCheckpoint(uploadId, partSize, parts));
            }
            var done = await resilience.RunAsync(async c => await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = uploadId, PartETags = parts.Select((etag, i) => new PartETag(i + 1, etag)).ToList(),
            }, c), ct);
            return new CopyResult.Done(done.ETag);
        }
        catch (Exception e) when (from is null && e is not OperationCanceledException)
        {
            // Nothing saved refers to a fresh upload: abort it. A resumed one stays for the retry to continue.
            await AbortAsync(bucket, key, uploadId);
            throw;
        }
    }

    /// <summary>Aborts a multipart upload; one that is already gone is fine.</summary>
    public Task AbortAsync(string bucket, string key, string uploadId) => MultipartUploads.AbortAsync(s3, bucket, key, uploadId);

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
            // The last page: listing again would only find it empty (one request per ingest saved).
            if (page.IsTruncated != true) return deleted;
        }
    }

    /// <summary>
    /// Aborts every incomplete multipart upload under <paramref name="prefix"/>: one a process left when
    /// it died between parts, or a file Unpack paused inside and will not continue. Storage is billed
    /// for their parts, and they never become objects a listing would show.
    /// </summary>
    public async Task<int> AbortUploadsAsync(string bucket, string prefix, CancellationToken ct, bool exactKey = false)
    {
        var aborted = 0;
        string? keyMarker = null, uploadIdMarker = null;
        while (true)
        {
            var page = await resilience.RunAsync(async c => await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = bucket, Prefix = prefix, KeyMarker = keyMarker, UploadIdMarker = uploadIdMarker,
            }, c), ct);
            // Filtered here too: the prefix is a request, not every S3-compatible server honours it.
            foreach (var upload in (page.MultipartUploads ?? []).Where(u => exactKey ? u.Key == prefix : u.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                await AbortAsync(bucket, upload.Key, upload.UploadId);
                aborted++;
            }
            if (page.IsTruncated != true) return aborted;
            (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
    }

    /// <summary>
    /// Aborts multipart copies of this ingest's large files that no checkpoint names: a process that
    /// died after starting one and before saving its first part leaves it behind. Preservation keys
    /// carry no ingest prefix, so each large file's key is asked about exactly (two requests a file,
    /// and only for files at or above the multipart threshold).
    /// </summary>
    public async Task<int> AbortCopyUploadsAsync(Guid ingestId, IEnumerable<InterimFileState> files, CancellationToken ct)
    {
        var aborted = 0;
        foreach (var file in files.Where(f => f.Size >= options.Value.MultipartCopyThresholdBytes))
            foreach (var role in new[] { "primary", "replica" })
                aborted += await AbortUploadsAsync(BucketFor(role), ObjectKeys.PreservationFor(ingestId, file), ct, exactKey: true);
        return aborted;
    }

    /// <summary>
    /// Deletes <paramref name="bucket"/>/<paramref name="key"/> only while it is still the version with
    /// <paramref name="etag"/>; returns false, deleting nothing, when a newer object (another upload to the same
    /// key) is there, and true when it was deleted or is already gone. Two guards: a HEAD compares the ETag
    /// first (servers that ignore If-Match on DELETE, as MinIO releases before conditional deletes, would
    /// otherwise delete anything), then DeleteObject carries If-Match, which S3 (since 2025-09), Ceph and moto
    /// evaluate atomically. On a server that ignores If-Match an upload landing between the HEAD and the DELETE
    /// (milliseconds, once per ingest) would still be lost; its uploader's own ingest then finds its object
    /// gone and is rejected with a clear error, nothing half-stored.
    /// </summary>
    public async Task<bool> DeleteIfUnchangedAsync(string bucket, string key, string etag, CancellationToken ct)
    {
        var expected = Bus.Contracts.Ingest.IngestIds.NormalizeETag(etag);
        try
        {
            var head = await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(bucket, key, c), ct);
            if (Bus.Contracts.Ingest.IngestIds.NormalizeETag(head.ETag) != expected) return false;
            await resilience.RunAsync(async c => await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key, IfMatch = $"\"{expected}\"" }, c), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string bucket, string key, CancellationToken ct) =>
        await resilience.RunAsync(async c => await s3.DeleteObjectAsync(bucket, key, c), ct);
}
