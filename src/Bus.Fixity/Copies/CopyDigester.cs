using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.Copies;

/// <summary>The digests of one read of a copy, keyed by algorithm (lower-case hex), and its size.</summary>
public sealed record CopyDigest(IReadOnlyDictionary<string, string> Digests, long Size);

/// <summary>
/// Streams a copy once and computes every configured digest with bounded memory (two read buffers).
/// Reading the next block overlaps with hashing the previous one, so a check runs at about the speed
/// of a plain GET whenever hashing is faster than the network (the fixity-check benchmark).
/// </summary>
public sealed class CopyDigester(ICopyStorage storage, IOptions<FixityOptions> options)
{
    /// <summary>The digests, or null when the object is missing.</summary>
    public async Task<CopyDigest?> DigestAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        await using var stream = await storage.OpenReadAsync(bucket, key, cancellationToken);
        if (stream is null) return null;
        return await DigestAsync(stream, options.Value.AlgorithmList, options.Value.ReadBufferKiB * 1024, cancellationToken);
    }

    public static async Task<CopyDigest> DigestAsync(Stream stream, IReadOnlyList<string> algorithms, int bufferSize, CancellationToken cancellationToken)
    {
        var hashes = algorithms.Select(a => (Name: a, Hash: IncrementalHash.CreateHash(Algorithm(a)))).ToList();
        var current = ArrayPool<byte>.Shared.Rent(bufferSize);
        var next = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long size = 0;
            var read = await FillAsync(stream, current, bufferSize, cancellationToken);
            while (read > 0)
            {
                var block = current;
                var length = read;
                var hashing = Task.Run(() => { foreach (var (_, hash) in hashes) hash.AppendData(block, 0, length); }, cancellationToken);
                read = await FillAsync(stream, next, bufferSize, cancellationToken);
                await hashing;
                size += length;
                (current, next) = (next, current);
            }
            return new CopyDigest(hashes.ToDictionary(h => h.Name, h => Convert.ToHexStringLower(h.Hash.GetHashAndReset())), size);
        }
        finally
        {
            foreach (var (_, hash) in hashes) hash.Dispose();
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>Reads until the buffer is full or the stream ends: network streams return short reads, hashing big blocks is cheaper.</summary>
    private static async Task<int> FillAsync(Stream stream, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken);
            if (n == 0) break;
            filled += n;
        }
        return filled;
    }

    private static HashAlgorithmName Algorithm(string name) => name switch
    {
        "md5" => HashAlgorithmName.MD5,
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"unknown digest algorithm '{name}'", nameof(name)),
    };
}
