using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.BagIt.Scanning;
using Bus.Ingest.Steps;
using Bus.Ingest.Data;
using Bus.Workflows.Steps;
using Bus.Workflows.Copies;

namespace Bus.Ingest.Steps;

/// <summary>
/// Unpack's tag source: manifests and tag files beyond the few KiB a checkpoint carries are read back
/// from their staged copies (<c>bus-staging/&lt;ingest&gt;/&lt;file id&gt;</c>, written in the same pass
/// by <see cref="StagingSink"/>), so no checkpoint holds their bytes: its file rows already hold the
/// staging key and digests. The bytes are checked against the sha256 the scan computed.
/// </summary>
public sealed class StagedTagFiles(IAmazonS3 s3, S3Resilience resilience, string bucket, Guid ingestId) : ITagFileSource
{
    public async Task<Stream> OpenAsync(BagFile file, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.Staging(ingestId, StagingSink.FileIdFor(ingestId, file.Path));
        var response = await resilience.RunAsync(async c => await s3.GetObjectAsync(bucket, key, c), cancellationToken);
        return new VerifiedRead(response, file, $"s3://{bucket}/{key}");
    }

    /// <summary>The object's body, refused at its end unless it is exactly the bytes the scan hashed.</summary>
    private sealed class VerifiedRead(GetObjectResponse response, BagFile file, string location) : Stream
    {
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await response.ResponseStream.ReadAsync(buffer, cancellationToken);
            _sha256.AppendData(buffer.Span[..read]);
            _read += read;
            if (_read > file.Size || (read == 0 && _read < file.Size))
                throw Mismatch($"{_read} bytes, the scan found {file.Size}");
            if (read > 0 && _read == file.Size && Convert.ToHexStringLower(_sha256.GetHashAndReset()) is var sha256 && sha256 != file.Digests.Sha256)
                throw Mismatch($"sha256 {sha256}, the scan found {file.Digests.Sha256}");
            return read;
        }

        private InvalidOperationException Mismatch(string what) =>
            new($"staged copy {location} of tag file '{file.Path}' has {what}; it changed since Unpack staged it");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => file.Size;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
                _sha256.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
