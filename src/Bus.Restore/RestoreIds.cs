using System.Security.Cryptography;
using System.Text;

namespace Bus.Restore;

/// <summary>Ids derived from what they name, so a retried or redelivered step makes the same ones (alerts).</summary>
public static class RestoreIds
{
    public static Guid ForAlert(Guid restoreId, long storageRecordId) => Derive($"restore:{restoreId:N}:alert:{storageRecordId}");

    private static Guid Derive(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        // RFC 9562 version 8 (custom), variant 10, as FixityIds.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
