using System.Text;

namespace Bus.Platform.Storage;

/// <summary>
/// The request limits of real S3 (MinIO enforces the same), checked before a request is sent: moto_server,
/// which the tests run against, enforces almost none of them, so without these checks a request that works
/// in every test could fail only in production. Every writer (staging, preservation copies, fixity repair,
/// busctl's upload) calls them. A breach is <see cref="S3LimitException"/>: fatal, never retried, because
/// sending the same request again cannot succeed.
/// </summary>
public static class S3Limits
{
    private const long MiB = 1024L * 1024;

    /// <summary>User metadata: the sum of the UTF-8 bytes of every key and value (S3 counts it so).</summary>
    public const int MaxUserMetadataBytes = 2 * 1024;
    public const int MaxKeyBytes = 1024;
    public const int MaxParts = 10_000;
    public const long MinPartBytes = 5 * MiB;
    public const long MaxPartBytes = 5 * 1024 * MiB;
    /// <summary>The largest single PutObject, and the largest single CopyObject.</summary>
    public const long MaxSingleRequestBytes = 5 * 1024 * MiB;
    public const long MaxObjectBytes = 5L * 1024 * 1024 * MiB;

    private const string MetadataPrefix = "x-amz-meta-";

    /// <summary>The object key: not empty, at most 1,024 UTF-8 bytes.</summary>
    public static void CheckKey(string key)
    {
        if (string.IsNullOrEmpty(key)) throw new S3LimitException("an S3 object key must not be empty");
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > MaxKeyBytes)
            throw new S3LimitException($"S3 object key of {bytes} UTF-8 bytes is over S3's limit of {MaxKeyBytes}: '{Shorten(key)}'");
    }

    /// <summary>User metadata within 2 KB (keys counted without the x-amz-meta- prefix the SDK adds).</summary>
    public static void CheckMetadata(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var total = 0;
        foreach (var (key, value) in metadata)
        {
            var name = key.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? key[MetadataPrefix.Length..] : key;
            total += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value ?? "");
        }
        if (total > MaxUserMetadataBytes)
            throw new S3LimitException($"S3 user metadata of {total} bytes is over S3's limit of {MaxUserMetadataBytes} (keys and values, UTF-8)");
    }

    /// <summary>One PutObject or one CopyObject: at most 5 GiB.</summary>
    public static void CheckSingleRequest(long size)
    {
        if (size < 0) throw new S3LimitException($"an object size cannot be negative ({size})");
        if (size > MaxSingleRequestBytes)
            throw new S3LimitException($"{size} bytes is over S3's limit of {MaxSingleRequestBytes} for a single PUT or copy: use a multipart upload");
    }

    /// <summary>
    /// A multipart upload of <paramref name="size"/> bytes in parts of <paramref name="partBytes"/>: part size 5 MiB-5 GiB
    /// (only the last part may be smaller), at most 10,000 parts, the object at most 5 TiB.
    /// </summary>
    public static void CheckMultipart(long size, long partBytes)
    {
        CheckObjectSize(size);
        if (partBytes is < MinPartBytes or > MaxPartBytes)
            throw new S3LimitException($"a part of {partBytes} bytes is outside S3's part size limits ({MinPartBytes}-{MaxPartBytes})");
        var parts = PartCount(size, partBytes);
        if (parts > MaxParts)
            throw new S3LimitException($"{size} bytes in parts of {partBytes} take {parts} parts, over S3's limit of {MaxParts}");
    }

    /// <summary>An object: at most 5 TiB.</summary>
    public static void CheckObjectSize(long size)
    {
        if (size < 0) throw new S3LimitException($"an object size cannot be negative ({size})");
        if (size > MaxObjectBytes) throw new S3LimitException($"{size} bytes is over S3's largest object, {MaxObjectBytes} bytes");
    }

    /// <summary>The smallest whole-MiB part size of at least <paramref name="preferred"/> that fits <paramref name="size"/> in 10,000 parts.</summary>
    public static long PartBytesFor(long size, long preferred)
    {
        var needed = (size + MaxParts - 1) / MaxParts;
        return Math.Max(preferred, (needed + MiB - 1) / MiB * MiB);
    }

    private static long PartCount(long size, long partBytes) => Math.Max(1, (size + partBytes - 1) / partBytes);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}

/// <summary>A request would break one of S3's limits (<see cref="S3Limits"/>); it was not sent.</summary>
public sealed class S3LimitException(string message) : Exception(message);
