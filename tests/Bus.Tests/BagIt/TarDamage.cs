using System.Text;

namespace Bus.Tests.BagIt;

/// <summary>
/// Raw tar bytes for hostile-input tests: hand-made headers (any type flag and size claim) and
/// seeded mutations of a valid bag tar. Case <c>n</c> always gives the same bytes, so a failure
/// names the case to reproduce.
/// </summary>
public static class TarDamage
{
    public const int Block = 512;

    private static readonly (string Name, int Offset, int Length)[] Fields =
    [
        ("name", 0, 100), ("mode", 100, 8), ("uid", 108, 8), ("gid", 116, 8), ("size", 124, 12), ("mtime", 136, 12),
        ("checksum", 148, 8), ("type", 156, 1), ("linkname", 157, 100), ("magic", 257, 6), ("version", 263, 2),
        ("uname", 265, 32), ("devmajor", 329, 8), ("devminor", 337, 8), ("prefix", 345, 155),
    ];

    /// <summary>A ustar header block with a correct checksum: any type flag, any claimed size.</summary>
    public static byte[] Header(string name, char type, long size, string? sizeField = null)
    {
        var h = new byte[Block];
        Encoding.UTF8.GetBytes(name).AsSpan(0, Math.Min(100, Encoding.UTF8.GetByteCount(name))).CopyTo(h);
        Ascii("0000644\0", h, 100);
        Ascii("0000000\0", h, 108);
        Ascii("0000000\0", h, 116);
        Ascii(sizeField ?? Convert.ToString(size, 8).PadLeft(11, '0') + "\0", h, 124);
        Ascii("15107101400\0", h, 136);
        h[156] = (byte)type;
        Ascii("ustar\0" + "00", h, 257);
        FixChecksum(h);
        return h;
    }

    /// <summary>The bytes of a pax extended header's data: records "len key=value\n".</summary>
    public static byte[] PaxRecords(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            var body = $" {key}={value}\n";
            var length = Encoding.UTF8.GetByteCount(body);
            var total = length + length.ToString().Length;
            if (total.ToString().Length != length.ToString().Length) total++;
            text.Append(total).Append(body);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Padded(byte[] data) => [.. data, .. new byte[(Block - data.Length % Block) % Block]];

    public static byte[] EndOfArchive => new byte[2 * Block];

    public static void FixChecksum(Span<byte> header)
    {
        header.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header[..Block]) sum += b;
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
    }

    private static void Ascii(string text, byte[] into, int offset) => Encoding.ASCII.GetBytes(text).CopyTo(into, offset);

    /// <summary>Offsets of every header block of an undamaged tar (pax 'x' headers included).</summary>
    public static List<int> HeaderOffsets(byte[] tar)
    {
        var offsets = new List<int>();
        for (var at = 0; at + Block <= tar.Length && tar.AsSpan(at, Block).ContainsAnyExcept((byte)0);)
        {
            offsets.Add(at);
            var size = Convert.ToInt64(Encoding.ASCII.GetString(tar, at + 124, 11).Trim('\0', ' '), 8);
            at += Block + (int)((size + Block - 1) / Block * Block);
        }
        return offsets;
    }

    public static readonly string[] Kinds = ["bit-flips", "truncation", "header-field", "duplicated-block", "reordered-blocks", "pax-record"];

    /// <summary>Mutation number <paramref name="n"/> of <paramref name="tar"/>: its kind and bytes.</summary>
    public static (string Kind, byte[] Bytes) Mutate(byte[] tar, int n)
    {
        var random = new Random(7_000 + n);
        var headers = HeaderOffsets(tar);
        var blocks = tar.Length / Block;
        var kind = Kinds[n % Kinds.Length];
        var bytes = tar.ToArray();
        switch (kind)
        {
            case "bit-flips":
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    // Half the flips land in a header, where they matter most.
                    var at = random.Next(2) == 0 ? headers[random.Next(headers.Count)] + random.Next(Block) : random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }
                return (kind, bytes);
            case "truncation":
                var cut = random.Next(bytes.Length);
                return (kind, bytes[..(random.Next(2) == 0 ? cut / Block * Block : cut)]);
            case "header-field":
                var header = headers[random.Next(headers.Count)];
                // Size and type most often: they decide what TarReader reads next and how much.
                var (name, offset, length) = random.Next(10) switch { < 3 => Fields[4], < 5 => Fields[7], _ => Fields[random.Next(Fields.Length)] };
                var field = bytes.AsSpan(header + offset, length);
                FieldDamage(field, name, random);
                // Mostly a consistent checksum, so the damage reaches past TarReader's first check.
                if (name != "checksum" && random.Next(5) != 0) FixChecksum(bytes.AsSpan(header, Block));
                return ($"{kind}:{name}", bytes);
            case "duplicated-block":
                var copy = random.Next(blocks);
                var into = random.Next(blocks + 1);
                return (kind, [.. bytes[..(into * Block)], .. bytes.AsSpan(copy * Block, Block), .. bytes[(into * Block)..]]);
            case "reordered-blocks":
                var a = random.Next(blocks);
                var b = random.Next(blocks);
                var first = bytes.AsSpan(a * Block, Block).ToArray();
                bytes.AsSpan(b * Block, Block).CopyTo(bytes.AsSpan(a * Block));
                first.CopyTo(bytes.AsSpan(b * Block));
                return (kind, bytes);
            default:
                // The data block of a pax 'x' header: a hostile record, the header's size made to match.
                var paxHeaders = headers.Where(h => bytes[h + 156] == (byte)'x').ToList();
                var pax = paxHeaders[random.Next(paxHeaders.Count)];
                string[] hostile =
                [
                    "size=99999999999999", "size=-5", "size=abc", "mtime=1e400", "mtime=-99999999999999", "uid=99999999999",
                    "path=", "path=../../etc/passwd", "path=/abs", "linkpath=x", "GNU.sparse.major=1", "mode=-1",
                ];
                var (key, value) = hostile[random.Next(hostile.Length)].Split('=', 2) is [var k, var v] ? (k, v) : ("x", "y");
                var records = random.Next(4) == 0 ? Encoding.ASCII.GetBytes($"{random.Next(1, 99999)} {key}={value}\n") : PaxRecords((key, value));
                var room = bytes.AsSpan(pax + Block, Block);
                room.Clear();
                records.AsSpan(0, Math.Min(records.Length, Block)).CopyTo(room);
                Ascii(Convert.ToString(Math.Min(records.Length, Block), 8).PadLeft(11, '0') + "\0", bytes, pax + 124);
                FixChecksum(bytes.AsSpan(pax, Block));
                return ($"{kind}:{key}", bytes);
        }
    }

    private static void FieldDamage(Span<byte> field, string name, Random random)
    {
        switch (random.Next(name is "size" or "type" ? 6 : 4))
        {
            case 0:
                random.NextBytes(field);
                break;
            case 1:
                // A number too large for the field's type, in octal.
                field.Fill((byte)'7');
                field[^1] = 0;
                break;
            case 2:
                // Base-256: a huge positive, or a negative (0xFF lead) number.
                field.Fill(0xFF);
                if (random.Next(2) == 0) field[0] = 0x80;
                break;
            case 3:
                field.Clear();
                var text = Encoding.ASCII.GetBytes(new[] { "9999", "-1", " ", "0x10", "1e9" }[random.Next(5)]);
                text.AsSpan(0, Math.Min(field.Length, text.Length)).CopyTo(field);
                break;
            default:
                if (name == "type")
                    field[0] = (byte)"xgLKS01234567DMNVZ\0"[random.Next(19)];
                else
                    Encoding.ASCII.GetBytes(Convert.ToString(random.NextInt64(1L << 20, 1L << 31), 8).PadLeft(11, '0') + "\0").CopyTo(field);
                break;
        }
    }
}
