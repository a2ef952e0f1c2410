namespace Bus.Ingest.Steps;

/// <summary>
/// MIME type by file extension: the fallback when libmagic has no answer, or only the generic
/// <c>application/octet-stream</c> / <c>text/plain</c> for a format the extension names precisely.
/// </summary>
public static class ExtensionFormats
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain", [".csv"] = "text/csv", [".xml"] = "application/xml", [".json"] = "application/json",
        [".html"] = "text/html", [".htm"] = "text/html", [".md"] = "text/markdown", [".pdf"] = "application/pdf",
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
        [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".jp2"] = "image/jp2", [".wav"] = "audio/x-wav",
        [".mp3"] = "audio/mpeg", [".mp4"] = "video/mp4", [".mov"] = "video/quicktime", [".zip"] = "application/zip",
        [".gz"] = "application/gzip", [".tar"] = "application/x-tar", [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".epub"] = "application/epub+zip", [".warc"] = "application/warc",
    };

    public const string Unknown = "application/octet-stream";

    public static string? ForPath(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var mime) ? mime : null;
}
