using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt.Scanning;
using Bus.Contracts.Ingest;
using Bus.Ingest.Storage;

namespace Bus.Ingest.Consumers;

/// <summary>
/// Streams each file of the tar to the staging bucket while the scanner hashes it. The file is sent
/// in parts of a bounded buffer (one part in memory at a time, never the file or the bag), each part
/// retried on its own: a non-seekable stream cannot be replayed, a buffered part can.
/// </summary>
public sealed class StagingSink(IAmazonS3 s3, S3Resilience resilience, string bucket, Guid ingestId) : IBagFileSink
{
    public const int PartBytes = 16 * 1024 * 1024;

    /// <summary>A file's id and staging key are name-based on (ingest, path): a retried Unpack overwrites, never duplicates.</summary>
    public static Guid FileIdFor(Guid ingestId, string path) => IngestIds.NameBased(ingestId, "file:" + path);

    public async Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.Staging(ingestId, FileIdFor(ingestId, entry.Path));
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(entry.Size, 1), PartBytes));
        try
        {
            var first = await content.ReadAtLeastAsync(buffer.AsMemory(0, (int)Math.Min(entry.Size, PartBytes)), (int)Math.Min(entry.Size, PartBytes), false, cancellationToken);
            if (entry.Size <= PartBytes)
            {
                await resilience.RunAsync(async c => await s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket, Key = key, InputStream = new MemoryStream(buffer, 0, first, writable: false), AutoCloseStream = false,
                }, c), cancellationToken);
                return;
            }
            var upload = await resilience.RunAsync(async c => await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, c), cancellationToken);
            try
            {
                var parts = new List<PartETag>();
                var length = first;
                for (var number = 1; length > 0; number++)
                {
                    var partNumber = number;
                    var partLength = length;
                    var response = await resilience.RunAsync(async c => await s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = partNumber, PartSize = partLength,
                        InputStream = new MemoryStream(buffer, 0, partLength, writable: false),
                    }, c), cancellationToken);
                    parts.Add(new PartETag(partNumber, response.ETag));
                    length = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartBytes), PartBytes, false, cancellationToken);
                }
                await resilience.RunAsync(async c => await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
                }, c), cancellationToken);
            }
            catch
            {
                await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
