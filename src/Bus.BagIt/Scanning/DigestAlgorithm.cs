namespace Bus.BagIt.Scanning;

/// <summary>The digests the scanner computes for every file (APTrust's set).</summary>
public enum DigestAlgorithm
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

public static class DigestAlgorithms
{
    public static readonly IReadOnlyList<DigestAlgorithm> All = [DigestAlgorithm.Md5, DigestAlgorithm.Sha1, DigestAlgorithm.Sha256, DigestAlgorithm.Sha512];

    /// <summary>The BagIt name, as in <c>manifest-sha256.txt</c>.</summary>
    public static string BagItName(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "md5",
        DigestAlgorithm.Sha1 => "sha1",
        DigestAlgorithm.Sha256 => "sha256",
        _ => "sha512",
    };

    public static bool TryParse(string bagItName, out DigestAlgorithm algorithm)
    {
        switch (bagItName.ToLowerInvariant())
        {
            case "md5": algorithm = DigestAlgorithm.Md5; return true;
            case "sha1": algorithm = DigestAlgorithm.Sha1; return true;
            case "sha256": algorithm = DigestAlgorithm.Sha256; return true;
            case "sha512": algorithm = DigestAlgorithm.Sha512; return true;
            default: algorithm = default; return false;
        }
    }
}
