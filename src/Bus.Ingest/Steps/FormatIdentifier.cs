namespace Bus.Ingest.Steps;

/// <summary>libmagic first; the extension when libmagic gives nothing better than a generic type.</summary>
public sealed class FormatIdentifier(LibMagic magic)
{
    public const string ByLibmagic = "libmagic";
    public const string ByExtension = "extension";

    public (string Format, string Method) Identify(string path, ReadOnlySpan<byte> head)
    {
        var fromMagic = magic.MimeType(head);
        var fromExtension = ExtensionFormats.ForPath(path);
        if (fromMagic is null or "" or ExtensionFormats.Unknown or "application/x-empty" or "inode/x-empty")
            return (fromExtension ?? fromMagic ?? ExtensionFormats.Unknown, fromExtension is null && fromMagic is not null ? ByLibmagic : ByExtension);
        // text/plain from libmagic is right but vague for .csv, .xml-ish or .json files: the extension is more specific.
        if (fromMagic == "text/plain" && fromExtension is not null && fromExtension != "text/plain") return (fromExtension, ByExtension);
        return (fromMagic, ByLibmagic);
    }
}
