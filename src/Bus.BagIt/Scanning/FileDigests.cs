namespace Bus.BagIt.Scanning;

/// <summary>
/// The md5, sha1, sha256 and sha512 of one file, kept as 132 raw bytes (not four hex strings):
/// a 100,000-file bag keeps one of these per file, so each record stays small.
/// </summary>
public sealed class FileDigests
{
    internal const int TotalLength = 16 + 20 + 32 + 64;
    private readonly byte[] _bytes;

    internal FileDigests(byte[] bytes) => _bytes = bytes;

    /// <summary>Digests saved as hex (e.g. interim rows of an earlier Unpack slice), back in this form.</summary>
    public static FileDigests FromHex(string md5, string sha1, string sha256, string sha512)
    {
        var bytes = Convert.FromHexString(md5 + sha1 + sha256 + sha512);
        if (bytes.Length != TotalLength) throw new ArgumentException($"expected {TotalLength} digest bytes, got {bytes.Length}");
        return new FileDigests(bytes);
    }

    public ReadOnlySpan<byte> Get(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => _bytes.AsSpan(0, 16),
        DigestAlgorithm.Sha1 => _bytes.AsSpan(16, 20),
        DigestAlgorithm.Sha256 => _bytes.AsSpan(36, 32),
        _ => _bytes.AsSpan(68, 64),
    };

    /// <summary>Lower-case hex, as BagIt manifests usually write it.</summary>
    public string Hex(DigestAlgorithm algorithm) => Convert.ToHexStringLower(Get(algorithm));

    public string Md5 => Hex(DigestAlgorithm.Md5);
    public string Sha1 => Hex(DigestAlgorithm.Sha1);
    public string Sha256 => Hex(DigestAlgorithm.Sha256);
    public string Sha512 => Hex(DigestAlgorithm.Sha512);

    /// <summary>True when <paramref name="hex"/> (either case) is this file's digest.</summary>
    public bool Matches(DigestAlgorithm algorithm, string hex)
    {
        var expected = Get(algorithm);
        if (hex.Length != expected.Length * 2) return false;
        Span<byte> parsed = stackalloc byte[64];
        return Convert.FromHexString(hex, parsed[..expected.Length], out _, out var written) == System.Buffers.OperationStatus.Done
            && written == expected.Length
            && parsed[..written].SequenceEqual(expected);
    }
}
