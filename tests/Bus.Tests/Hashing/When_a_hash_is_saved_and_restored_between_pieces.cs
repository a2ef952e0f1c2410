using System.Security.Cryptography;
using Bus.Hashing;

namespace Bus.Tests.Hashing;

public class When_a_hash_is_saved_and_restored_between_pieces
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var algorithm in ResumableHash.Algorithms)
            foreach (var size in new[] { 0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4096, 65_537, 1_000_003 })
                data.Add(algorithm, size);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_give_the_one_shot_digest(string algorithm, int size)
    {
        var bytes = Content(size);
        var hash = ResumableHash.Create(algorithm);
        var offset = 0;
        // Odd piece sizes, so checkpoints fall inside blocks and on block edges; every piece goes to a
        // fresh instance restored from the previous one's saved bytes, as a continuation in another process would.
        foreach (var piece in PieceSizes())
        {
            if (offset >= size) break;
            var n = Math.Min(piece, size - offset);
            hash.Append(bytes.AsSpan(offset, n));
            offset += n;
            hash = ResumableHash.Restore(hash.SaveState(), algorithm);
            Assert.Equal(offset, hash.BytesHashed);
        }
        if (offset < size) hash.Append(bytes.AsSpan(offset));

        Assert.Equal(OneShot(algorithm, bytes), hash.FinishHex());
    }

    [Fact]
    public void Should_stay_usable_after_a_digest_is_taken()
    {
        var bytes = Content(1000);
        var hash = ResumableHash.Create("sha256");
        hash.Append(bytes.AsSpan(0, 500));
        Assert.Equal(OneShot("sha256", bytes[..500]), hash.FinishHex());
        hash.Append(bytes.AsSpan(500));
        Assert.Equal(OneShot("sha256", bytes), hash.FinishHex());
    }

    private static IEnumerable<int> PieceSizes()
    {
        int[] sizes = [1, 7, 63, 64, 65, 127, 129, 1, 4099, 200_001];
        for (var i = 0; ; i++) yield return sizes[i % sizes.Length];
    }

    private static byte[] Content(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

#pragma warning disable CA5350, CA5351 // md5 and sha1 are fixity values here, not security
    private static string OneShot(string algorithm, byte[] bytes) => Convert.ToHexStringLower(algorithm switch
    {
        "md5" => MD5.HashData(bytes),
        "sha1" => SHA1.HashData(bytes),
        "sha256" => SHA256.HashData(bytes),
        "sha512" => SHA512.HashData(bytes),
        _ => throw new ArgumentException(algorithm, nameof(algorithm)),
    });
#pragma warning restore CA5350, CA5351
}
