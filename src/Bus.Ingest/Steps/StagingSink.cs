using System.Buffers;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt.Scanning;
using Bus.Contracts.Ingest;
using Bus.Ingest.Steps;
using Bus.Ingest.Data;
using Bus.Workflows.Copies;
using Bus.Platform.Storage;
using Bus.Workflows.Steps;

namespace Bus.Ingest.Steps;

/// <summary>
/// Streams each file of the tar to the staging bucket while the scanner hashes it. The file is sent
/// in parts of a bounded buffer (one part in memory at a time, never the file or the bag), each part
/// retried on its own: a non-seekable stream cannot be replayed, a buffered part can. A file larger
/// than one part may pause between parts (time-sliced Unpack): its multipart upload stays open and
/// its id and part ETags go into the checkpoint, so the next slice, on any process, continues it.
/// </summary>
public sealed class StagingSink(IAmazonS3 s3, S3Resilience resilience, string bucket, Guid ingestId, StreamFormats? formats = null) : IPausableBagFileSink
{
    public const int PartBytes = 16 * 1024 * 1024;

    // Not ArrayPool.Shared: it keeps a returned array in the returning thread's local slot, so part
    // buffers rented and returned on ever different pool threads (a slice per message) piled up, one
    // 16 MiB array per thread: a 1 GiB file in 1 s slices took the host from 290 to 460 MiB. This pool
    // keeps at most two per size, one for each of Unpack's two concurrent messages.
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 2);

    /// <summary>A file's id and staging key are name-based on (ingest, path): a retried Unpack overwrites, never duplicates.</summary>
    public static Guid FileIdFor(Guid ingestId, string path) => IngestIds.NameBased(ingestId, "file:" + path);

    /// <summary>
    /// 16 MiB, or more for a file over 160 GiB so it fits S3's 10,000 parts (a 5 TB object, S3's largest,
    /// takes 500 MiB parts: that buffer is the price of retrying a part from a stream read once).
    /// </summary>
    public static int PartBytesFor(long size)
    {
        S3Limits.CheckObjectSize(size);
        return (int)S3Limits.PartBytesFor(size, PartBytes);
    }

    public bool CanPause(BagEntry entry) => entry.Size > PartBytesFor(entry.Size);

    public async Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken) =>
        await WritePausableAsync(entry, content, 0, null, static () => false, cancellationToken);

    public async Task<string?> WritePausableAsync(BagEntry entry, Stream content, long bytesDone, string? resumeState, Func<bool> pauseRequested,
        CancellationToken cancellationToken)
    {
        var key = KeyFor(entry);
        S3Limits.CheckKey(key);
        var upload = resumeState is null ? null : await ResumeAsync(entry, key, bytesDone, resumeState, cancellationToken);
        var partBytes = upload?.PartBytes ?? PartBytesFor(entry.Size);
        var buffer = Buffers.Rent((int)Math.Min(Math.Max(entry.Size - bytesDone, 1), partBytes));
        try
        {
            var length = await ReadPartAsync(content, buffer, (int)Math.Min(entry.Size - bytesDone, partBytes), cancellationToken);
            if (bytesDone == 0) formats?.Identify(entry.Path, buffer.AsSpan(0, length));
            if (upload is null && entry.Size <= partBytes)
            {
                S3Limits.CheckSingleRequest(entry.Size);
                await resilience.RunAsync(async c => await s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket, Key = key, InputStream = new MemoryStream(buffer, 0, length, writable: false), AutoCloseStream = false,
                }, c), cancellationToken);
                return null;
            }
            var fresh = upload is null;
            S3Limits.CheckMultipart(entry.Size, partBytes);
            upload ??= new StagingUpload(
                (await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, c), cancellationToken)).UploadId,
                partBytes, []);
            try
            {
                while (length > 0)
                {
                    var partNumber = upload.Parts.Count + 1;
                    var partLength = length;
                    var response = await resilience.RunAsync(async c => await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = partNumber, PartSize = partLength,
                        InputStream = new MemoryStream(buffer, 0, partLength, writable: false),
                    }, c), cancellationToken);
                    upload.Parts.Add(response.ETag);
                    bytesDone += partLength;
                    if (bytesDone < entry.Size && pauseRequested()) return JsonSerializer.Serialize(upload);
                    length = await ReadPartAsync(content, buffer, (int)Math.Min(partBytes, entry.Size - bytesDone), cancellationToken);
                }
                await resilience.RunAsync(async c => await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = bucket, Key = key, UploadId = upload.UploadId,
                    PartETags = [.. upload.Parts.Select((etag, i) => new PartETag(i + 1, etag))],
                }, c), cancellationToken);
                return null;
            }
            catch when (fresh)
            {
                // Nothing saved refers to a fresh upload: abort it. A resumed one stays for the retry of this slice.
                await MultipartUploads.AbortAsync(s3, bucket, key, upload.UploadId);
                throw;
            }
        }
        finally
        {
            Buffers.Return(buffer);
        }
    }

    public async Task DiscardAsync(BagEntry entry, string resumeState, CancellationToken cancellationToken)
    {
        if (Parse(resumeState) is { } upload) await MultipartUploads.AbortAsync(s3, bucket, KeyFor(entry), upload.UploadId);
    }

    private string KeyFor(BagEntry entry) => ObjectKeys.Staging(ingestId, FileIdFor(ingestId, entry.Path));

    private static async Task<int> ReadPartAsync(Stream content, byte[] buffer, int count, CancellationToken cancellationToken) =>
        await content.ReadAtLeastAsync(buffer.AsMemory(0, count), count, throwOnEndOfStream: false, cancellationToken);

    private async Task<StagingUpload> ResumeAsync(BagEntry entry, string key, long bytesDone, string resumeState, CancellationToken cancellationToken)
    {
        var upload = Parse(resumeState);
        if (upload is null || upload.PartBytes <= 0 || (long)upload.Parts.Count * upload.PartBytes != bytesDone)
            throw new PartialFileRefusedException(entry.Path, "the saved staging upload does not match the bytes done");
        if (!await MultipartUploads.ExistsAsync(s3, resilience, bucket, key, upload.UploadId, cancellationToken))
            throw new PartialFileRefusedException(entry.Path, $"staging upload {upload.UploadId} is gone");
        return upload;
    }

    private static StagingUpload? Parse(string state)
    {
        try
        {
            return JsonSerializer.Deserialize<StagingUpload>(state);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An open staging upload between slices: its id, part size and the ETags of parts 1..n.</summary>
    private sealed record StagingUpload(string UploadId, int PartBytes, List<string> Parts);
}
