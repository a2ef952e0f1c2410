using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// A small APTrust-profile bag built in code and written as a tar to a temporary file (no binaries
/// in git). Mutators make the invalid variants the tests need.
/// </summary>
public sealed class TestBag
{
    public TestBag(string name)
    {
        Name = name;
        Payload["data/report.txt"] = Encoding.UTF8.GetBytes("a plain text report\n" + name + "\n");
        Payload["data/images/pixel.png"] = Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
        Payload["data/notes.csv"] = Encoding.UTF8.GetBytes("id,value\n1,alpha\n2,beta\n");
    }

    public string Name { get; }

    /// <summary>Adds <paramref name="count"/> small distinct payload files (a bag whose Store takes a while).</summary>
    public TestBag WithFiles(int count)
    {
        for (var i = 0; i < count; i++) Payload[$"data/many/file-{i:D4}.txt"] = Encoding.UTF8.GetBytes($"file {i} of {Name}\n");
        return this;
    }
    public Dictionary<string, byte[]> Payload { get; } = new(StringComparer.Ordinal);
    /// <summary>Entries written after the files as they are: raw names (not under the bag folder) and link targets, for hostile tars.</summary>
    public List<(TarEntryType Type, string Name, string? LinkName)> RawEntries { get; } = [];
    public string Access { get; set; } = "Institution";
    /// <summary>The aptrust-info.txt Storage-Option (the default storage options: docs/ingest.md).</summary>
    public string StorageOption { get; set; } = "Standard";
    /// <summary>Blank lines appended to the sha256 manifest (parsers skip them): a valid manifest of several MiB without as many files.</summary>
    public int ManifestPaddingLines { get; set; }
    /// <summary>Paths whose md5 manifest line is wrong (the checksum-mismatch variant).</summary>
    public HashSet<string> CorruptManifest { get; } = [];

    public byte[] Tag(string file) => Tags()[file];

    private Dictionary<string, byte[]> Tags()
    {
        var tags = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["bagit.txt"] = Encoding.UTF8.GetBytes("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
            ["bag-info.txt"] = Encoding.UTF8.GetBytes(
                $"Source-Organization: Bus tests\nBagging-Date: 2026-11-22\nPayload-Oxum: {Payload.Values.Sum(v => (long)v.Length)}.{Payload.Count}\n"),
            ["aptrust-info.txt"] = Encoding.UTF8.GetBytes($"Title: Test bag {Name}\nAccess: {Access}\nStorage-Option: {StorageOption}\n"),
            ["manifest-md5.txt"] = Manifest(MD5.HashData, corrupt: true),
            ["manifest-sha256.txt"] = [.. Manifest(SHA256.HashData, corrupt: false), .. Enumerable.Repeat((byte)'\n', ManifestPaddingLines)],
        };
        return tags;
    }

    private byte[] Manifest(Func<byte[], byte[]> hash, bool corrupt)
    {
        var sb = new StringBuilder();
        foreach (var (path, bytes) in Payload.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var digest = hash(bytes);
            if (corrupt && CorruptManifest.Contains(path)) digest[0] ^= 0xFF;
            sb.Append(Convert.ToHexStringLower(digest)).Append("  ").Append(path).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Every file of the bag (tag files and payload) by bag-relative path.</summary>
    public IReadOnlyDictionary<string, byte[]> AllFiles() => Tags().Concat(Payload).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>Writes <c>{Name}.tar</c> into <paramref name="folder"/> and returns its path.</summary>
    public string WriteTar(string folder)
    {
        var path = Path.Combine(folder, Name + ".tar");
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, Name + "/"));
        foreach (var (relative, bytes) in AllFiles())
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{Name}/{relative}") { DataStream = new MemoryStream(bytes) };
            writer.WriteEntry(entry);
        }
        foreach (var (type, name, link) in RawEntries)
        {
            var entry = new PaxTarEntry(type, name);
            if (link is not null) entry.LinkName = link;
            if (type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream("x\n"u8.ToArray());
            writer.WriteEntry(entry);
        }
        return path;
    }
}
