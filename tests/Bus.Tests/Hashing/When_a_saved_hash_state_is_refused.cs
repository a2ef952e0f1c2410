using System.Buffers.Binary;
using System.Security.Cryptography;
using Bus.Hashing;

namespace Bus.Tests.Hashing;

/// <summary>A checkpoint that is damaged, foreign or of another algorithm is refused, never turned into a wrong digest.</summary>
public class When_a_saved_hash_state_is_refused
{
    private static byte[] SavedSha256(int bytes = 1000)
    {
        var hash = ResumableHash.Create("sha256");
        hash.Append(new byte[bytes]);
        return hash.SaveState();
    }

    [Fact]
    public void Should_refuse_any_flipped_byte()
    {
        var state = SavedSha256();
        for (var i = 0; i < state.Length; i++)
        {
            var damaged = state.ToArray();
            damaged[i] ^= 0x01;
            Assert.Throws<HashStateException>(() => ResumableHash.Restore(damaged));
        }
    }

    [Fact]
    public void Should_refuse_a_truncated_or_foreign_state()
    {
        var state = SavedSha256();
        Assert.Throws<HashStateException>(() => ResumableHash.Restore(state.AsSpan(0, state.Length - 1)));
        Assert.Throws<HashStateException>(() => ResumableHash.Restore([]));
        Assert.Throws<HashStateException>(() => ResumableHash.Restore(RandomNumberGenerator.GetBytes(state.Length)));
    }

    [Fact]
    public void Should_refuse_another_format_version_by_name()
    {
        var state = Reseal(SavedSha256(), s => s[4] = 2);
        var e = Assert.Throws<HashStateException>(() => ResumableHash.Restore(state));
        Assert.Contains("format version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_state_of_another_algorithm_than_expected()
    {
        var e = Assert.Throws<HashStateException>(() => ResumableHash.Restore(SavedSha256(), "sha512"));
        Assert.Contains("is sha256, expected sha512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_state_whose_counters_disagree_with_its_byte_count()
    {
        // A well-formed, correctly checksummed state that claims one more byte than OpenSSL counted.
        var state = Reseal(SavedSha256(1000), s => BinaryPrimitives.WriteInt64LittleEndian(s.AsSpan(8), 1001));
        var e = Assert.Throws<HashStateException>(() => ResumableHash.Restore(state));
        Assert.Contains("inconsistent", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Applies a change and recomputes the trailing checksum (the last 16 bytes: SHA-256 of the rest).</summary>
    private static byte[] Reseal(byte[] state, Action<byte[]> change)
    {
        var copy = state.ToArray();
        change(copy);
        SHA256.HashData(copy.AsSpan(0, copy.Length - 16)).AsSpan(0, 16).CopyTo(copy.AsSpan(copy.Length - 16));
        return copy;
    }
}
