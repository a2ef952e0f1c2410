using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Bus.Hashing;

/// <summary>
/// A running md5, sha1, sha256 or sha512 whose state can be saved as bytes and restored in another
/// process, so a long read (a fixity check of a huge copy) can stop, checkpoint and continue elsewhere
/// without starting over. .NET's IncrementalHash cannot export its state and no served library can
/// (BouncyCastle.Cryptography is not served here), so this calls OpenSSL's low-level functions in the
/// system libcrypto (hardware SHA, the same speed as IncrementalHash) and copies their plain context struct.
/// </summary>
/// <remarks>
/// A saved state is versioned and checked: a state of another format version, algorithm, OpenSSL ABI
/// or byte order, a damaged one (a checksum over it), or one whose internal counters disagree with the
/// byte count it claims is refused with <see cref="HashStateException"/>, never restored into a hash
/// that would give a wrong digest. Not thread-safe.
/// </remarks>
public sealed class ResumableHash
{
    /// <summary>"BRHS": Bus resumable hash state.</summary>
    private static readonly byte[] Magic = "BRHS"u8.ToArray();
    public const byte FormatVersion = 1;
    private const int HeaderSize = 18;
    private const int CheckSize = 16;

    private readonly DigestKind _kind;
    private readonly byte[] _context;

    private ResumableHash(DigestKind kind, byte[] context, long bytesHashed)
    {
        _kind = kind;
        _context = context;
        BytesHashed = bytesHashed;
    }

    public static IReadOnlyList<string> Algorithms { get; } = DigestKind.All.Select(k => k.Name).ToList();

    /// <summary>md5, sha1, sha256 or sha512.</summary>
    public string Algorithm => _kind.Name;

    /// <summary>How many bytes the hash has taken in, across every process that held it.</summary>
    public long BytesHashed { get; private set; }

    public static ResumableHash Create(string algorithm)
    {
        var kind = DigestKind.ByName(algorithm) ?? throw new ArgumentException($"unknown digest algorithm '{algorithm}': expected one of {string.Join(", ", Algorithms)}", nameof(algorithm));
        var context = new byte[kind.ContextSize];
        Check(kind.Init(ref context[0]), kind, "Init");
        return new ResumableHash(kind, context, 0);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        Check(_kind.Update(ref _context[0], ref MemoryMarshal.GetReference(data), (nuint)data.Length), _kind, "Update");
        BytesHashed += data.Length;
    }

    /// <summary>The digest of everything appended so far; the hash stays usable (it finishes a copy of its state).</summary>
    public byte[] Finish()
    {
        var copy = _context.ToArray();
        var digest = new byte[_kind.DigestSize];
        Check(_kind.Final(ref digest[0], ref copy[0]), _kind, "Final");
        return digest;
    }

    public string FinishHex() => Convert.ToHexStringLower(Finish());

    /// <summary>The state as bytes for <see cref="Restore"/>: a header, OpenSSL's context, and a checksum over both.</summary>
    public byte[] SaveState()
    {
        var state = new byte[HeaderSize + _context.Length + CheckSize];
        Magic.CopyTo(state, 0);
        state[4] = FormatVersion;
        state[5] = _kind.Id;
        state[6] = (byte)OpenSslMajor;
        state[7] = BitConverter.IsLittleEndian ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(8), BytesHashed);
        BinaryPrimitives.WriteUInt16LittleEndian(state.AsSpan(16), (ushort)_context.Length);
        _context.CopyTo(state, HeaderSize);
        Checksum(state.AsSpan(0, HeaderSize + _context.Length)).CopyTo(state.AsSpan(HeaderSize + _context.Length));
        return state;
    }

    /// <summary>Restores a state made by <see cref="SaveState"/> (in any process); refuses anything else with <see cref="HashStateException"/>.</summary>
    /// <param name="expectedAlgorithm">When given, a state of another algorithm is refused too.</param>
    public static ResumableHash Restore(ReadOnlySpan<byte> state, string? expectedAlgorithm = null)
    {
        if (state.Length < HeaderSize + CheckSize || !state[..4].SequenceEqual(Magic))
            throw new HashStateException("not a saved hash state (no BRHS header)");
        if (state[4] != FormatVersion)
            throw new HashStateException($"saved hash state has format version {state[4]}; this build reads version {FormatVersion}");
        var kind = DigestKind.ById(state[5]) ?? throw new HashStateException($"saved hash state has unknown algorithm id {state[5]}");
        if (expectedAlgorithm is not null && kind.Name != expectedAlgorithm)
            throw new HashStateException($"saved hash state is {kind.Name}, expected {expectedAlgorithm}");
        if (state[6] != OpenSslMajor)
            throw new HashStateException($"saved hash state comes from OpenSSL {state[6]}.x; this process runs OpenSSL {OpenSslMajor}.x, whose context layout may differ");
        if (state[7] != (BitConverter.IsLittleEndian ? 1 : 2))
            throw new HashStateException("saved hash state comes from a machine of the other byte order");
        var contextSize = BinaryPrimitives.ReadUInt16LittleEndian(state[16..]);
        if (contextSize != kind.ContextSize || state.Length != HeaderSize + contextSize + CheckSize)
            throw new HashStateException($"saved {kind.Name} state has a {contextSize}-byte context in {state.Length} bytes; expected {kind.ContextSize} in {HeaderSize + kind.ContextSize + CheckSize}");
        if (!Checksum(state[..(HeaderSize + contextSize)]).SequenceEqual(state[(HeaderSize + contextSize)..]))
            throw new HashStateException($"saved {kind.Name} state is damaged (checksum mismatch)");
        var bytesHashed = BinaryPrimitives.ReadInt64LittleEndian(state[8..]);
        var context = state.Slice(HeaderSize, contextSize).ToArray();
        CheckCounters(kind, context, bytesHashed);
        return new ResumableHash(kind, context, bytesHashed);
    }

    /// <summary>OpenSSL's own counters must say the same as the header: bits taken in, bytes waiting in the block buffer, digest length.</summary>
    private static void CheckCounters(DigestKind kind, byte[] context, long bytesHashed)
    {
        if (bytesHashed < 0) throw new HashStateException($"saved {kind.Name} state claims {bytesHashed} bytes");
        var bits = kind.WideCounter
            ? BinaryPrimitives.ReadUInt64LittleEndian(context.AsSpan(kind.BitCountOffset))
            : BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(kind.BitCountOffset)) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(kind.BitCountOffset + 4)) << 32);
        var buffered = BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(kind.BufferedOffset));
        if (bits != (ulong)bytesHashed * 8 || buffered != (ulong)(bytesHashed % kind.BlockSize))
            throw new HashStateException($"saved {kind.Name} state is inconsistent: it counts {bits / 8} bytes ({buffered} buffered) but claims {bytesHashed}");
        if (kind.DigestLengthOffset is { } at && BinaryPrimitives.ReadUInt32LittleEndian(context.AsSpan(at)) != kind.DigestSize)
            throw new HashStateException($"saved {kind.Name} state has the wrong digest length");
    }

    private static byte[] Checksum(ReadOnlySpan<byte> data) => SHA256.HashData(data)[..CheckSize];

    private static int OpenSslMajor => (int)(NativeMethods.OpenSSL_version_num() >> 28);

    private static void Check(int result, DigestKind kind, string step)
    {
        if (result != 1) throw new CryptographicException($"OpenSSL {kind.Name} {step} failed");
    }
}

/// <summary>A saved hash state was refused: the caller starts the hash over instead of trusting it.</summary>
public sealed class HashStateException(string message) : Exception(message);
