using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// Builds bags in code (no binary fixtures): by default a bag valid under every shipped profile
/// (BagIt 1.0, md5 and sha256 manifests, md5 tag manifest, bag-info with Payload-Oxum,
/// aptrust-info.txt). Tests change one thing and expect one rule to fire.
/// </summary>
public sealed class TestBag
{
    public string Name { get; set; } = "test-bag";
    public string Version { get; set; } = "1.0";
    public SortedDictionary<string, byte[]> Payload { get; } = new(StringComparer.Ordinal)
    {
        ["data/hello.txt"] = "hello world\n"u8.ToArray(),
        ["data/images/pixel.bin"] = [1, 2, 3, 4, 5],
    };
    public List<string> ManifestAlgorithms { get; } = ["md5", "sha256"];
    public List<string> TagManifestAlgorithms { get; } = ["md5"];
    public List<KeyValuePair<string, string>> BagInfo { get; } =
    [
        new("Source-Organization", "Test University"),
        new("Bagging-Date", "2026-11-22"),
    ];
    public bool WritePayloadOxum { get; set; } = true;
    public Dictionary<string, string>? AptrustInfo { get; set; } = new()
    {
        ["Title"] = "A test bag",
        ["Access"] = "Institution",
        ["Storage-Option"] = "Standard",
    };
    /// <summary>Extra files written as they are, after generation (tag files, stray payload...).</summary>
    public Dictionary<string, byte[]> Extra { get; } = new(StringComparer.Ordinal);
    /// <summary>Runs on the generated files before they are serialized: corrupt, drop, edit.</summary>
    public Action<Dictionary<string, byte[]>>? Tamper { get; set; }

    public Dictionary<string, byte[]> Files()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (path, bytes) in Payload) files[path] = bytes;
        files["bagit.txt"] = Encoding.UTF8.GetBytes($"BagIt-Version: {Version}\nTag-File-Character-Encoding: UTF-8\n");
        var info = BagInfo.ToList();
        if (WritePayloadOxum) info.Add(new("Payload-Oxum", $"{Payload.Values.Sum(b => (long)b.Length)}.{Payload.Count}"));
        files["bag-info.txt"] = Encoding.UTF8.GetBytes(string.Concat(info.Select(t => $"{t.Key}: {t.Value}\n")));
        if (AptrustInfo is not null)
            files["aptrust-info.txt"] = Encoding.UTF8.GetBytes(string.Concat(AptrustInfo.Select(t => $"{t.Key}: {t.Value}\n")));
        foreach (var algorithm in ManifestAlgorithms)
            files[$"manifest-{algorithm}.txt"] = Manifest(algorithm, Payload);
        var tagFiles = files.Where(f => !f.Key.StartsWith("data/", StringComparison.Ordinal)).ToDictionary();
        foreach (var algorithm in TagManifestAlgorithms)
            files[$"tagmanifest-{algorithm}.txt"] = Manifest(algorithm, tagFiles);
        foreach (var (path, bytes) in Extra) files[path] = bytes;
        Tamper?.Invoke(files);
        return files;
    }

    public static byte[] Manifest(string algorithm, IEnumerable<KeyValuePair<string, byte[]>> files) =>
        Encoding.UTF8.GetBytes(string.Concat(files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => $"{Hash(algorithm, f.Value)}  {f.Key}\n")));

    // BagIt manifests use md5 and sha1 as fixity checks, not for security.
#pragma warning disable CA5350, CA5351
    public static string Hash(string algorithm, byte[] bytes) => Convert.ToHexStringLower(algorithm switch
    {
        "md5" => MD5.HashData(bytes),
        "sha1" => SHA1.HashData(bytes),
        "sha256" => SHA256.HashData(bytes),
        "sha512" => SHA512.HashData(bytes),
        _ => throw new ArgumentException(algorithm),
    });
#pragma warning restore CA5350, CA5351

    /// <summary>The bag as a tar with one top-level folder; <paramref name="extraEntries"/> are appended raw.</summary>
    public byte[] ToTar(string? topFolder = null, IEnumerable<TarEntry>? extraEntries = null)
    {
        var top = topFolder ?? Name;
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, top + "/"));
            var files = Files();
            foreach (var directory in files.Keys.SelectMany(Parents).Distinct().Order(StringComparer.Ordinal))
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"{top}/{directory}/"));
            // Payload first, tag files last, as bagging tools usually write them.
            foreach (var (path, bytes) in files.OrderBy(f => f.Key.StartsWith("data/", StringComparison.Ordinal) ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal))
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{top}/{path}") { DataStream = new MemoryStream(bytes) });
            foreach (var entry in extraEntries ?? []) writer.WriteEntry(entry);
        }
        return output.ToArray();
    }

    public void ToFolder(string folder)
    {
        foreach (var (path, bytes) in Files())
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
    }

    public async Task<BagInventory> ScanTarAsync(IBagFileSink? sink = null, string? expectedName = null, IEnumerable<TarEntry>? extraEntries = null, BagScanOptions? options = null)
    {
        using var stream = new NonSeekableStream(new MemoryStream(ToTar(extraEntries: extraEntries)));
        return await TarBagScanner.ScanAsync(stream, sink, (options ?? new BagScanOptions()) with { ExpectedBagName = expectedName ?? Name });
    }

    public async Task<BagValidationResult> ValidateAsync(BagProfile? profile = null, IEnumerable<TarEntry>? extraEntries = null) =>
        BagValidator.Validate(await ScanTarAsync(extraEntries: extraEntries), profile ?? BagProfiles.BagIt);

    private static IEnumerable<string> Parents(string path)
    {
        for (var i = path.IndexOf('/', StringComparison.Ordinal); i > 0; i = path.IndexOf('/', i + 1))
            yield return path[..i];
    }
}

/// <summary>A forward-only stream, like an S3 response body or a pipe.</summary>
public sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}

public static class ResultAssertions
{
    public static void HasError(this BagValidationResult result, string code, string? path = null)
    {
        Assert.False(result.IsValid);
        Assert.True(result.Errors.Any(e => e.Code == code && (path is null || e.Path == path)),
            $"expected error {code}{(path is null ? "" : $" on {path}")}; got: {Describe(result.Errors)}");
    }

    public static void HasWarning(this BagValidationResult result, string code) =>
        Assert.True(result.Warnings.Any(w => w.Code == code), $"expected warning {code}; got: {Describe(result.Warnings)}");

    public static void IsValidBag(this BagValidationResult result) =>
        Assert.True(result.IsValid, $"expected a valid bag; errors: {Describe(result.Errors)}");

    private static string Describe(IEnumerable<Bus.BagIt.BagIssue> issues) => string.Join("; ", issues.Select(i => $"{i.Code} {i.Path}: {i.Message}"));
}
