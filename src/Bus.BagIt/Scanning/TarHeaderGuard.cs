namespace Bus.BagIt.Scanning;

/// <summary>
/// Refuses a metadata header (pax <c>x</c>/<c>g</c>, GNU long name <c>L</c>/long link <c>K</c>) whose
/// size field is beyond <see cref="BagScanOptions.MaxTarMetadataBytes"/>, before
/// <see cref="System.Formats.Tar.TarReader"/> reads it: TarReader rents a buffer of the claimed size
/// for such a header (up to 2 GiB) before finding the data missing, so a 2 KiB tar claiming a 1.5 GB
/// pax header made the scan allocate 1.5 GB (measured with .NET 10.0.12).
/// </summary>
internal static class TarHeaderGuard
{
    private const int Block = 512;
    private const int SizeField = 124;
    private const int SizeLength = 12;
    private const int ChecksumField = 148;
    private const int ChecksumLength = 8;
    private const int TypeField = 156;
    // One GetNextEntry call reads at most three headers' data: GNU L and K, then a third header
    // (which TarReader reads in full, even an x or g).
    private const int ChainLength = 3;

    /// <summary>
    /// Checks the headers TarReader's next entry will read: the first starts <paramref name="gap"/>
    /// bytes ahead (the previous entry's padding). Throws <see cref="BagScanException"/> for one too large.
    /// </summary>
    public static async Task CheckAsync(LookaheadStream stream, long gap, long maxMetadataBytes, long tarOffset, CancellationToken cancellationToken)
    {
        if (gap is < 0 or >= Block) throw new InvalidOperationException($"the next tar header is {gap} bytes ahead, not within one block");
        var at = gap;
        for (var i = 0; i < ChainLength; i++)
        {
            var bytes = await stream.PeekAsync((int)(at + Block), cancellationToken);
            if (bytes.Length < at + Block) return; // TarReader reports the end of the stream itself
            var header = bytes.Span.Slice((int)at, Block);
            var type = (char)header[TypeField];
            if (type is not ('x' or 'g' or 'L' or 'K') || !header.Slice(ChecksumField, ChecksumLength).ContainsAnyExcept((byte)0)) return;
            var size = ParseSize(header.Slice(SizeField, SizeLength));
            if (size is not { } s || s > maxMetadataBytes)
                throw new BagScanException(BagIssueCodes.TarHeaderTooLarge,
                    $"the tar header at byte {tarOffset + at} is a '{type}' ({Describe(type)}) of {(size is null ? "an unreadable size" : $"{size} bytes")}; "
                    + $"at most {maxMetadataBytes} bytes are read for one");
            at += Block + (s + Block - 1) / Block * Block;
        }
    }

    private static string Describe(char type) => type switch
    {
        'x' => "pax extended header",
        'g' => "pax global header",
        'L' => "GNU long name",
        _ => "GNU long link name",
    };

    /// <summary>The size field as TarReader reads it (octal, or base-256 when the first byte has its high bit); null when it is neither or negative.</summary>
    internal static long? ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            if (field[0] == 0xFF) return null; // negative
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                if (value > long.MaxValue >> 8) return long.MaxValue;
                value = (value << 8) | b;
            }
            return value;
        }
        var digits = field.Trim((ReadOnlySpan<byte>)[0, (byte)' ']);
        long octal = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'7') return null;
            if (octal > long.MaxValue >> 3) return long.MaxValue;
            octal = (octal << 3) | (uint)(b - '0');
        }
        return octal;
    }
}
