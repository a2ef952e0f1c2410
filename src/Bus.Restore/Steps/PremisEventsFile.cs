using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Restore.Data;
using Bus.Workflows.Steps;

namespace Bus.Restore.Steps;

/// <summary>Where a restore's PREMIS events file was put, how long it is and its sha256: the plan reads it like a copy.</summary>
public sealed record StagedPremisEvents(string Bucket, string Key, long Size, string Sha256, long Events);

/// <summary>
/// The PREMIS events tag file of an object restore, made once while the restore is prepared: the events stream from
/// the registry into a local temporary file (hashed as it is written), which is put into the restore bucket under
/// <see cref="RestoreKeys.WorkPrefix"/>. The tar header needs the size before the first byte is written, and the events
/// may change while a restore runs (a fixity check adds one): a file fixed at prepare time gives the size and a
/// content every slice reads the same, read back and verified like a copy, without holding the events in memory
/// or in the plan's row. Removed when the restore ends.
/// </summary>
public sealed class PremisEventsFile(IAmazonS3 s3, S3Resilience resilience, RestoreRegistry registry)
{
    public async Task<StagedPremisEvents> StageAsync(Guid restoreId, RegisteredObject obj, string bucket, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bus-restore-{restoreId:N}-{Guid.NewGuid():N}.json");
        try
        {
            long events;
            string sha256;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var hashing = new HashingWriteStream(file, hash))
                await using (var json = new Utf8JsonWriter(hashing, new JsonWriterOptions { Indented = true }))
                    events = await registry.WritePremisEventsAsync(obj, json, ct);
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            var size = new FileInfo(path).Length;
            // A key of its own per staging: a duplicate delivery of the prepare step cannot overwrite what another's plan names.
            var key = $"{RestoreKeys.WorkPrefix(restoreId)}{Guid.NewGuid():N}/{RestoreKeys.PremisEventsFile}";
            await resilience.RunAsync(async c =>
            {
                await using var body = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
                return await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, ContentType = "application/json" }, c);
            }, ct);
            return new StagedPremisEvents(bucket, key, size, sha256, events);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Removes everything the restore staged (gone already is fine).</summary>
    public async Task RemoveAsync(Guid restoreId, string bucket, CancellationToken ct)
    {
        var listed = await resilience.RunAsync(async c => await s3.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket, Prefix = RestoreKeys.WorkPrefix(restoreId), MaxKeys = 100,
        }, c), ct);
        foreach (var o in listed.S3Objects ?? [])
        {
            try
            {
                await resilience.RunAsync(async c => await s3.DeleteObjectAsync(bucket, o.Key, c), ct);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { }
        }
    }

    /// <summary>Passes writes through to <paramref name="inner"/>, hashing them.</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
