namespace Bus.Ingest.Steps;

/// <summary>
/// Formats of the files one Unpack slice staged, identified from each file's first bytes while they
/// pass from the tar to staging (the same bytes Identify's ranged GET would read back): Identify
/// then has nothing left to read for them. A file that a slice boundary cut inside keeps no format
/// here (its head was read in an earlier slice); Identify reads its head from staging as before.
/// </summary>
public sealed class StreamFormats(FormatIdentifier identifier, int headBytes)
{
    private readonly Dictionary<string, (string Format, string Method)> _found = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Identifies <paramref name="path"/> from the start of its content (at least its first <c>headBytes</c>, or all of a smaller file).</summary>
    public void Identify(string path, ReadOnlySpan<byte> start)
    {
        var found = identifier.Identify(path, start[..Math.Min(start.Length, headBytes)]);
        lock (_lock) _found[path] = found;
    }

    public (string? Format, string? Method) For(string path)
    {
        lock (_lock) return _found.TryGetValue(path, out var f) ? f : (null, null);
    }
}
