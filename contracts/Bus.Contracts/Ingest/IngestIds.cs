using System.Security.Cryptography;
using System.Text;

namespace Bus.Contracts.Ingest;

/// <summary>
/// The ingest id of a submission: a name-based UUID (RFC 9562 version 5, SHA-1) of the receiving
/// bucket, key and ETag. The same object submitted twice is one ingest, whoever computes the id;
/// a new upload of the same key (new ETag) is a new ingest (a reingest when the bag is known).
/// </summary>
public static class IngestIds
{
    /// <summary>Namespace of Bus ingest ids (a fixed random UUID: changing it would re-key every ingest).</summary>
    public static readonly Guid Namespace = new("6f1c3f1e-9b7a-4d53-a9f2-5d0e4c2b8a71");

    /// <summary>
    /// The first ingest of an upload: (institution, bucket, key, ETag). The institution is part of the
    /// name so the same bytes under the same key for two institutions are two ingests, never one.
    /// </summary>
    public static Guid For(string institution, string bucket, string key, string etag) =>
        NameBased(Namespace, $"{institution}\n{bucket}\n{key}\n{NormalizeETag(etag)}");

    /// <summary>
    /// The ingest that takes over a submission arriving after <paramref name="predecessor"/> ended with
    /// its object changed since (deleted, reingested from elsewhere) or without storing anything (failed,
    /// cancelled). Name-based, so duplicates of one new submission meet in one successor.
    /// </summary>
    public static Guid SuccessorOf(Guid predecessor) => NameBased(Namespace, $"successor\n{predecessor:D}");

    /// <summary>S3 returns ETags quoted; clients sometimes strip the quotes. Both must give one id.</summary>
    public static string NormalizeETag(string etag) => etag.Trim().Trim('"').ToLowerInvariant();

    /// <summary>UUID version 5 of <paramref name="name"/> in <paramref name="namespaceId"/> (also used for per-file event ids).</summary>
    public static Guid NameBased(Guid namespaceId, string name)
    {
        Span<byte> ns = stackalloc byte[16];
        namespaceId.TryWriteBytes(ns, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        ns.CopyTo(input);
        nameBytes.CopyTo(input, 16);
#pragma warning disable CA5350 // RFC 9562 defines version 5 on SHA-1; it names, it does not protect.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
