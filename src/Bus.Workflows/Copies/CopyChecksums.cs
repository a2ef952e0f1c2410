using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Steps;

namespace Bus.Workflows.Copies;

/// <summary>What a HEAD with <c>ChecksumMode=ENABLED</c> tells about a copy without reading it.</summary>
/// <param name="ChecksumSha256">S3's <c>x-amz-checksum-sha256</c>: base64 of the object's SHA-256, or for a multipart object the composite (see <see cref="CopyChecksums"/>); null when the object was stored without one.</param>
/// <param name="StorageClass">The storage class S3 reports; null for STANDARD (S3 leaves the header out).</param>
public sealed record CopyAttributes(long Size, string ETag, string? ChecksumSha256, string? StorageClass);

/// <summary>
/// S3's own SHA-256 checksums of copies written with <see cref="CopyWriteOptions.Sha256Checksum"/>: the way to
/// check a cold copy (GLACIER, DEEP_ARCHIVE), whose GET is refused until a restore. A single-request copy's
/// checksum is base64 of the object's SHA-256, the digest Bus computed at unpack. A multipart copy's is the
/// composite S3 defines: base64 of the SHA-256 of the concatenated binary part digests, followed on S3 by
/// <c>-&lt;parts&gt;</c> (moto leaves the suffix out; both are accepted). Its expected value needs the part
/// digests, which <see cref="CompositeFromSourceAsync"/> computes by reading the source the parts were copied
/// from, in the same part ranges, while it also computes the whole SHA-256 (so the source itself is proven).
/// </summary>
public sealed class CopyChecksums(IAmazonS3 s3, S3Resilience resilience)
{
    /// <summary>The copy's size, ETag, checksum and storage class, or null when it does not exist.</summary>
    public async Task<CopyAttributes?> HeadAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            var head = await resilience.RunAsync(async c => await s3.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = bucket, Key = key, ChecksumMode = ChecksumMode.ENABLED }, c), ct);
            var storageClass = head.StorageClass?.Value;
            return new CopyAttributes(head.ContentLength, head.ETag, string.IsNullOrEmpty(head.ChecksumSHA256) ? null : head.ChecksumSHA256,
                string.IsNullOrEmpty(storageClass) ? null : storageClass);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
    }

    /// <summary>The checksum S3 reports for a single-request object whose SHA-256 is <paramref name="sha256Hex"/>.</summary>
    public static string FromHex(string sha256Hex) => Convert.ToBase64String(Convert.FromHexString(sha256Hex));

    /// <summary>The composite checksum of an object of these part digests (without S3's <c>-N</c> suffix).</summary>
    public static string Composite(IReadOnlyList<byte[]> partDigests) =>
        Convert.ToBase64String(SHA256.HashData(partDigests.SelectMany(d => d).ToArray())) + "-" + partDigests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// True when S3's reported checksum is the expected one. <paramref name="expected"/> is <see cref="FromHex"/>'s
    /// or <see cref="Composite"/>'s form; a reported composite may lack the <c>-N</c> suffix (moto) but may not name
    /// another part count.
    /// </summary>
    public static bool Matches(string expected, string? reported)
    {
        if (string.IsNullOrEmpty(reported)) return false;
        var (expectedDigest, expectedParts) = Split(expected);
        var (reportedDigest, reportedParts) = Split(reported);
        return expectedDigest == reportedDigest && (reportedParts is null || reportedParts == expectedParts);
    }

    private static (string Digest, string? Parts) Split(string checksum)
    {
        var dash = checksum.LastIndexOf('-');
        return dash > 0 ? (checksum[..dash], checksum[(dash + 1)..]) : (checksum, null);
    }

    /// <summary>
    /// Reads <paramref name="bucket"/>/<paramref name="key"/> once, in ranges of <paramref name="partBytes"/>, and returns
    /// its whole SHA-256 (hex) and the composite checksum a multipart copy of it in those parts has. Not sliced: one
    /// read of the source inside the calling step's message (docs/ingest.md gives the size this suits).
    /// </summary>
    public async Task<(string Sha256Hex, string Composite)?> CompositeFromSourceAsync(string bucket, string key, long size, long partBytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partBytes, 1);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var parts = new List<byte[]>();
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            for (long offset = 0; offset < size; offset += partBytes)
            {
                var last = Math.Min(offset + partBytes, size) - 1;
                using var part = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                GetObjectResponse response;
                try
                {
                    response = await resilience.RunAsync(async c => await s3.GetObjectAsync(
                        new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(offset, last) }, c), ct);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
                {
                    return null;
                }
                using (response)
                {
                    long read = 0;
                    int n;
                    while ((n = await response.ResponseStream.ReadAsync(buffer.AsMemory(0, buffer.Length), ct)) > 0)
                    {
                        whole.AppendData(buffer, 0, n);
                        part.AppendData(buffer, 0, n);
                        read += n;
                    }
                    if (read != last - offset + 1) throw new IOException($"{bucket}/{key}: read {read} bytes of part at {offset}, expected {last - offset + 1}");
                }
                parts.Add(part.GetHashAndReset());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Convert.ToHexStringLower(whole.GetHashAndReset()), Composite(parts));
    }
}
