using System.Security.Cryptography;
using System.Text;

namespace Bus.Fixity;

/// <summary>
/// Ids derived from what they name, so a retried or redelivered step makes the same ones. The saga's
/// correlation id comes from the storage record: one check per copy can be in flight, and a second
/// request for the same copy reaches the same saga instance instead of starting another check.
/// </summary>
public static class FixityIds
{
    public static Guid ForCopy(long storageRecordId) => Derive($"fixity-copy:{storageRecordId}");

    /// <summary>A PREMIS event or alert id for <paramref name="purpose"/> of one check ("check", "replication", "recheck"...).</summary>
    public static Guid ForRecord(Guid checkId, string purpose, long storageRecordId) => Derive($"fixity:{checkId:N}:{purpose}:{storageRecordId}");

    private static Guid Derive(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        // RFC 9562 version 8 (custom), variant 10: a valid UUID that never collides with random v4 ones.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
