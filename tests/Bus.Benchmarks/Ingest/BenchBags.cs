using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bus.Benchmarks.Ingest;

/// <summary>
/// APTrust-valid bag tars generated for the ingest benchmarks (md5, sha1, sha256, sha512 manifests,
/// tag manifest, aptrust-info.txt), named <c>{bag}.tar</c> with the single top-level folder the
/// profile requires. Payload bytes are pseudo-random from a fixed seed.
/// </summary>
public static class BenchBags
{
    /// <summary>One payload file of <paramref name="sizeMiB"/> MiB. The payload goes through a temporary file (hashed as it is written), never memory.</summary>
    public static async Task<string> WriteLargeAsync(string folder, string bagName, int sizeMiB, CancellationToken ct)
    {
        var payload = Path.Combine(folder, bagName + ".payload");
        var hashes = BagBenchmarkSupport.Algorithms.ToDictionary(a => a, a => IncrementalHash.CreateHash(new HashAlgorithmName(a.ToUpperInvariant())));
        var chunk = new byte[1 << 20];
        var random = new Random(1);
        await using (var file = File.Create(payload))
            for (var i = 0; i < sizeMiB; i++)
            {
                random.NextBytes(chunk);
                foreach (var h in hashes.Values) h.AppendData(chunk);
                await file.WriteAsync(chunk, ct);
            }
        var tar = Path.Combine(folder, bagName + ".tar");
        await using (var output = File.Create(tar))
        await using (var writer = new TarWriter(output, TarEntryFormat.Pax))
        {
            await using (var data = File.OpenRead(payload))
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"{bagName}/data/payload.bin") { DataStream = data }, ct);
            var manifests = hashes.ToDictionary(h => h.Key, h => new StringBuilder($"{Convert.ToHexStringLower(h.Value.GetHashAndReset())}  data/payload.bin\n"));
            BagBenchmarkSupport.WriteTagFiles(writer, bagName, (long)sizeMiB << 20, 1, manifests);
        }
        foreach (var h in hashes.Values) h.Dispose();
        File.Delete(payload);
        return tar;
    }

    /// <summary><paramref name="count"/> payload files of <paramref name="fileBytes"/> bytes each, 1,000 to a folder.</summary>
    public static string WriteMany(string folder, string bagName, int count, int fileBytes, int seed = 2)
    {
        var tar = Path.Combine(folder, bagName + ".tar");
        var manifests = BagBenchmarkSupport.Algorithms.ToDictionary(a => a, _ => new StringBuilder());
        var content = new byte[fileBytes];
        var random = new Random(seed);
        using (var output = File.Create(tar))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax))
        {
            for (var i = 0; i < count; i++)
            {
                random.NextBytes(content);
                var path = count == 1 ? "data/file.bin" : $"data/{i / 1000:D3}/file-{i:D6}.bin";
#pragma warning disable CA5350, CA5351 // BagIt fixity, not security
                manifests["md5"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(MD5.HashData(content))}  {path}\n");
                manifests["sha1"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA1.HashData(content))}  {path}\n");
#pragma warning restore CA5350, CA5351
                manifests["sha256"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA256.HashData(content))}  {path}\n");
                manifests["sha512"].Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA512.HashData(content))}  {path}\n");
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{bagName}/{path}") { DataStream = new MemoryStream(content, writable: false) });
            }
            BagBenchmarkSupport.WriteTagFiles(writer, bagName, (long)fileBytes * count, count, manifests);
        }
        return tar;
    }
}
