using System.Buffers;
using System.Security.Cryptography;

namespace Bus.BagIt.Scanning;

/// <summary>
/// Small files hashed together. OpenSSL costs a few microseconds per digest call whatever the
/// size, so four digests of a 1 KiB file cost ~25 us: done one by one on the reading thread that
/// caps a many-file bag near 15,000 files/s. A batch of up to 1 MiB / 1,024 files is hashed on two
/// lanes (md5+sha1, sha256+sha512) while the reader fills the next batch.
/// </summary>
internal sealed class SmallFileBatch : IDisposable
{
    private const int MaxFiles = 1024;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(DigestPipeline.ChunkSize);
    private readonly List<(string Path, long Size, int Offset)> _files = [];
    private int _used;
    private byte[] _digests = [];

    public int Count => _files.Count;

    public bool TryAdd(string path, ReadOnlySpan<byte> content)
    {
        if (_files.Count == MaxFiles || (_files.Count > 0 && _used + content.Length > _buffer.Length)) return false;
        content.CopyTo(_buffer.AsSpan(_used));
        _files.Add((path, content.Length, _used));
        _used += content.Length;
        return true;
    }

    public static int Limit => DigestPipeline.ChunkSize / 16;

    public async Task<SmallFileBatch> HashAsync()
    {
        _digests = new byte[_files.Count * FileDigests.TotalLength];
        var laneA = Task.Run(() => Hash(laneB: false));
        Hash(laneB: true);
        await laneA;
        return this;
    }

#pragma warning disable CA5350, CA5351 // md5 and sha1 are BagIt fixity values here, not security
    private void Hash(bool laneB)
    {
        for (var i = 0; i < _files.Count; i++)
        {
            var (_, size, offset) = _files[i];
            var data = _buffer.AsSpan(offset, (int)size);
            var digest = _digests.AsSpan(i * FileDigests.TotalLength, FileDigests.TotalLength);
            if (laneB)
            {
                SHA256.HashData(data, digest.Slice(36, 32));
                SHA512.HashData(data, digest.Slice(68, 64));
            }
            else
            {
                MD5.HashData(data, digest[..16]);
                SHA1.HashData(data, digest.Slice(16, 20));
            }
        }
    }
#pragma warning restore CA5350, CA5351

    public IEnumerable<BagFile> Files() => _files.Select((f, i) =>
        new BagFile(f.Path, f.Size, new FileDigests(_digests.AsSpan(i * FileDigests.TotalLength, FileDigests.TotalLength).ToArray())));

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
