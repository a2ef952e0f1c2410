using System.Runtime.InteropServices;

namespace Bus.Hashing;

/// <summary>
/// OpenSSL 3's low-level digest functions in the system libcrypto (the library .NET itself uses on
/// Linux). Their contexts (MD5_CTX, SHA_CTX, SHA256_CTX, SHA512_CTX) are public plain structs with no
/// pointers, declared in openssl/md5.h and openssl/sha.h and part of libcrypto.so.3's ABI, so copying
/// their bytes is a complete, portable snapshot of a running hash. The EVP API (what IncrementalHash
/// wraps) has no way to export its state. The functions are deprecated in OpenSSL 3 but exported and
/// run the same assembly (SHA-NI, AVX2) as EVP.
/// </summary>
internal static class NativeMethods
{
    private const string LibCrypto = "libcrypto.so.3";

    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern ulong OpenSSL_version_num();

    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int MD5_Init(ref byte context);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int MD5_Update(ref byte context, ref byte data, nuint length);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int MD5_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA1_Init(ref byte context);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA1_Update(ref byte context, ref byte data, nuint length);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA1_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA256_Init(ref byte context);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA256_Update(ref byte context, ref byte data, nuint length);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA256_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA512_Init(ref byte context);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA512_Update(ref byte context, ref byte data, nuint length);
    [DllImport(LibCrypto)] [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int SHA512_Final(ref byte digest, ref byte context);
}

/// <summary>
/// One algorithm's context layout (sizes and offsets checked against OpenSSL 3.0's headers with
/// sizeof/offsetof) and its three functions. The bit counter and buffered-byte count are read back
/// when a saved state is restored, so a state is only accepted when it agrees with the byte count it claims.
/// </summary>
internal sealed record DigestKind(
    byte Id, string Name, int ContextSize, int DigestSize, int BlockSize,
    int BitCountOffset, bool WideCounter, int BufferedOffset, int? DigestLengthOffset,
    DigestKind.InitFn Init, DigestKind.UpdateFn Update, DigestKind.FinalFn Final)
{
    internal delegate int InitFn(ref byte context);
    internal delegate int UpdateFn(ref byte context, ref byte data, nuint length);
    internal delegate int FinalFn(ref byte digest, ref byte context);

    public static readonly DigestKind Md5 = new(1, "md5", 92, 16, 64, 16, false, 88, null,
        NativeMethods.MD5_Init, NativeMethods.MD5_Update, NativeMethods.MD5_Final);
    public static readonly DigestKind Sha1 = new(2, "sha1", 96, 20, 64, 20, false, 92, null,
        NativeMethods.SHA1_Init, NativeMethods.SHA1_Update, NativeMethods.SHA1_Final);
    public static readonly DigestKind Sha256 = new(3, "sha256", 112, 32, 64, 32, false, 104, 108,
        NativeMethods.SHA256_Init, NativeMethods.SHA256_Update, NativeMethods.SHA256_Final);
    public static readonly DigestKind Sha512 = new(4, "sha512", 216, 64, 128, 64, true, 208, 212,
        NativeMethods.SHA512_Init, NativeMethods.SHA512_Update, NativeMethods.SHA512_Final);

    public static readonly IReadOnlyList<DigestKind> All = [Md5, Sha1, Sha256, Sha512];

    public static DigestKind? ByName(string name) => All.FirstOrDefault(k => k.Name == name);
    public static DigestKind? ById(byte id) => All.FirstOrDefault(k => k.Id == id);
}
