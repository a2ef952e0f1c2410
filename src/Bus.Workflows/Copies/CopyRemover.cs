using Bus.Workflows.Steps;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Contracts.Ingest;

namespace Bus.Workflows.Copies;

/// <summary>
/// The one remover of objects: copies (deletion, compensation, superseded versions), staged objects, open
/// multipart uploads. S3 answers a delete of a missing key with success, which is what "a missing key counts
/// as done" needs; a missing bucket or a refused permission is not a missing key and throws. Every request goes
/// through <see cref="S3Resilience"/> (short transient failures retried here; longer outages are left to the
/// step's message retry and the error queue).
/// </summary>
public sealed class CopyRemover(IAmazonS3 s3, S3Resilience resilience) : ICopyRemover
{
    /// <summary>DeleteObjects takes at most 1,000 keys.</summary>
    public const int BatchKeys = 1000;

    public async Task RemoveAsync(string bucket, string key, CancellationToken cancellationToken) =>
        await resilience.RunAsync(async c => await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, c), cancellationToken);

    public async Task RemoveManyAsync(string bucket, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var errors = new List<(string, string, string)>();
        foreach (var batch in keys.Distinct().Chunk(BatchKeys))
            errors.AddRange(await DeleteBatchAsync(bucket, batch, cancellationToken));
        if (errors.Count > 0) throw new CopiesNotRemovedException(bucket, errors);
    }

    /// <summary>
    /// One DeleteObjects request; the keys S3 refused (per-key errors) with their codes. A key that was not there
    /// is not an error (S3 reports it deleted); the SDK throws <see cref="DeleteObjectsException"/> for per-key
    /// errors, whose response still lists them.
    /// </summary>
    private async Task<IReadOnlyList<(string, string, string)>> DeleteBatchAsync(string bucket, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var request = new DeleteObjectsRequest { BucketName = bucket, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList() };
        try
        {
            var response = await resilience.RunAsync(async c => await s3.DeleteObjectsAsync(request, c), ct);
            return Refused(response.DeleteErrors);
        }
        catch (DeleteObjectsException e)
        {
            return Refused(e.Response?.DeleteErrors);
        }
    }

    private static IReadOnlyList<(string, string, string)> Refused(List<DeleteError>? errors) =>
        (errors ?? []).Where(e => e.Code != "NoSuchKey").Select(e => (e.Key, e.Code, e.Message)).ToList();

    /// <summary>Deletes every object under <paramref name="prefix"/> a page (1,000 keys) per DeleteObjects; returns how many.</summary>
    public async Task<int> DeletePrefixAsync(string bucket, string prefix, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var page = await resilience.RunAsync(async c => await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = BatchKeys }, c), ct);
            if (page.S3Objects is not { Count: > 0 } objects) return deleted;
            await RemoveManyAsync(bucket, objects.Select(o => o.Key).ToList(), ct);
            deleted += objects.Count;
            // The last page: listing again would only find it empty (one request per ingest saved).
            if (page.IsTruncated != true) return deleted;
        }
    }

    /// <summary>
    /// Aborts every incomplete multipart upload under <paramref name="prefix"/> (or, with <paramref name="exactKey"/>,
    /// of that key): one a process left when it died between parts, or a file a step paused inside and will not
    /// continue. Storage is billed for their parts, and they never become objects a listing would show.
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
                await MultipartUploads.AbortAsync(s3, bucket, upload.Key, upload.UploadId);
                aborted++;
            }
            if (page.IsTruncated != true) return aborted;
            (keyMarker, uploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
    }

    /// <summary>Aborts one multipart upload; one that is already gone is fine.</summary>
    public Task AbortUploadAsync(string bucket, string key, string uploadId) => MultipartUploads.AbortAsync(s3, bucket, key, uploadId);

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
        var expected = IngestIds.NormalizeETag(etag);
        try
        {
            var head = await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(bucket, key, c), ct);
            if (IngestIds.NormalizeETag(head.ETag) != expected) return false;
            await resilience.RunAsync(async c => await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key, IfMatch = $"\"{expected}\"" }, c), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }
}
