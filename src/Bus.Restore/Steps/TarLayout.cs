using System.Text;

namespace Bus.Restore.Steps;

/// <summary>Where one entry lies in the output: its header (empty for a plain file restore), its data, its padding.</summary>
public sealed record LaidOutEntry(int Index, long HeaderOffset, int HeaderLength, long DataOffset, long Size, long End);

/// <summary>
/// The byte layout of a restore's output, computed from the plan alone, so every slice (in any process) lays out
/// exactly the same bytes: a POSIX tar (ustar headers, a pax header before an entry whose name or size ustar
/// cannot hold or whose name is not ASCII; fixed mode, owner and time) ending in two zero blocks, or, for a
/// file restore, the file's bytes alone.
/// </summary>
public sealed class TarLayout
{
    private const int Block = 512;
    private readonly IReadOnlyList<string> _names;
    private readonly long _mtime;

    private TarLayout(IReadOnlyList<string> names, IReadOnlyList<long> sizes, long mtime, bool tar)
    {
        _names = names;
        _mtime = mtime;
        IsTar = tar;
        var entries = new List<LaidOutEntry>(names.Count);
        long offset = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var header = tar ? HeaderLength(names[i], sizes[i]) : 0;
            var data = offset + header;
            var end = data + sizes[i];
            if (tar) end = Pad(end);
            entries.Add(new LaidOutEntry(i, offset, header, data, sizes[i], end));
            offset = end;
        }
        Entries = entries;
        Total = tar ? offset + 2 * Block : offset;
    }

    public bool IsTar { get; }
    public IReadOnlyList<LaidOutEntry> Entries { get; }
    public long Total { get; }

    /// <summary>A tar of <paramref name="names"/> (paths inside it) and their sizes; <paramref name="mtime"/> in Unix seconds.</summary>
    public static TarLayout Tar(IReadOnlyList<string> names, IReadOnlyList<long> sizes, long mtime) => new(names, sizes, mtime, tar: true);

    /// <summary>One file's bytes, no header.</summary>
    public static TarLayout Plain(long size) => new([""], [size], 0, tar: false);

    /// <summary>The entry whose header, data or padding holds <paramref name="offset"/> (null past the last entry: the end blocks).</summary>
    public LaidOutEntry? EntryAt(long offset)
    {
        int lo = 0, hi = Entries.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var e = Entries[mid];
            if (offset < e.HeaderOffset) hi = mid - 1;
            else if (offset >= e.End || (e.End == e.HeaderOffset)) lo = mid + 1;
            else return e;
        }
        // A zero-length plain entry (an empty file restore) has no bytes at all.
        return null;
    }

    /// <summary>The header bytes of entry <paramref name="index"/> (pax header and ustar header).</summary>
    public byte[] Header(int index)
    {
        var e = Entries[index];
        var name = _names[index];
        var header = new byte[e.HeaderLength];
        var pax = PaxRecords(name, e.Size);
        if (pax is null)
        {
            WriteUstar(header.AsSpan(0, Block), name, e.Size, '0');
            return header;
        }
        var short_ = ShortName(name);
        WriteUstar(header.AsSpan(0, Block), "PaxHeaders/" + short_, pax.Length, 'x');
        pax.CopyTo(header.AsSpan(Block));
        WriteUstar(header.AsSpan(e.HeaderLength - Block, Block), short_, Math.Min(e.Size, MaxOctalSize), '0');
        return header;
    }

    private static long Pad(long n) => (n + Block - 1) / Block * Block;

    private const long MaxOctalSize = 077777777777L;

    private static int HeaderLength(string name, long size) =>
        PaxRecords(name, size) is { } pax ? Block + (int)Pad(pax.Length) + Block : Block;

    /// <summary>The pax records an entry needs (a long, split-less or non-ASCII path; a size over 8 GiB), or null for plain ustar.</summary>
    private static byte[]? PaxRecords(string name, long size)
    {
        var records = new StringBuilder();
        if (!Ascii(name) || SplitUstar(name) is null) records.Append(Record("path", name));
        if (size > MaxOctalSize) records.Append(Record("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return records.Length == 0 ? null : Encoding.UTF8.GetBytes(records.ToString());
    }

    /// <summary>A pax record "length key=value\n" whose length counts its own digits.</summary>
    private static string Record(string key, string value)
    {
        var body = Encoding.UTF8.GetByteCount($" {key}={value}\n");
        var length = body + body.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        if (length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length != (length - body)) length++;
        return $"{length} {key}={value}\n";
    }

    private static bool Ascii(string s) => s.All(c => c is >= ' ' and < (char)127);

    /// <summary>(prefix, name) when the path fits ustar's 155 + 100 bytes split at a slash, else null.</summary>
    private static (string Prefix, string Name)? SplitUstar(string path)
    {
        if (path.Length <= 100) return ("", path);
        for (var i = path.Length - 1; i > 0; i--)
        {
            if (path[i] != '/') continue;
            var (prefix, name) = (path[..i], path[(i + 1)..]);
            if (name.Length > 100) return null;
            if (prefix.Length <= 155 && name.Length > 0) return (prefix, name);
        }
        return null;
    }

    /// <summary>What the ustar header of a pax entry names: ASCII, fits (readers use the pax path).</summary>
    private static string ShortName(string name)
    {
        var ascii = new string(name.Select(c => c is >= ' ' and < (char)127 ? c : '_').ToArray());
        return ascii.Length <= 100 ? ascii : ascii[^100..].TrimStart('/');
    }

    private void WriteUstar(Span<byte> h, string path, long size, char type)
    {
        h.Clear();
        var (prefix, name) = SplitUstar(path) ?? ("", path[^Math.Min(100, path.Length)..]);
        Encoding.ASCII.GetBytes(name, h[..100]);
        Octal(h.Slice(100, 8), 0b110_100_100);
        Octal(h.Slice(108, 8), 0);
        Octal(h.Slice(116, 8), 0);
        Octal(h.Slice(124, 12), size);
        Octal(h.Slice(136, 12), _mtime);
        h.Slice(148, 8).Fill((byte)' ');
        h[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\0", h.Slice(257, 6));
        Encoding.ASCII.GetBytes("00", h.Slice(263, 2));
        Encoding.ASCII.GetBytes(prefix, h.Slice(345, 155));
        var sum = 0;
        foreach (var b in h) sum += b;
        Octal(h.Slice(148, 7), sum);
    }

    /// <summary>Zero-padded octal digits and a NUL in <paramref name="field"/>.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits, field[..^1]);
        field[^1] = 0;
    }
}
