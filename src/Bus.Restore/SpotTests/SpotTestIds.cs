using System.Security.Cryptography;
using System.Text;

namespace Bus.Restore.SpotTests;

/// <summary>
/// Ids derived from what they name. The sweep's spot test of an institution is named after the spot test before it,
/// so every sweep that finds the institution due (a second host, a sweep before the first message was consumed)
/// names the same spot test and the saga runs it once.
/// </summary>
public static class SpotTestIds
{
    /// <summary>The spot test that follows <paramref name="previous"/> (null: the institution's first).</summary>
    public static Guid Next(string institution, Guid? previous) => Derive($"spot-test:{institution}:after:{previous?.ToString("N") ?? "none"}");

    /// <summary>The alert of a failed spot test: raising it again (a redelivered step) adds nothing.</summary>
    public static Guid ForAlert(Guid spotTestId) => Derive($"spot-test:{spotTestId:N}:alert");

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
