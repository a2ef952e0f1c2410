namespace Bus.BagIt.Scanning;

/// <summary>
/// The input cannot be read as a bag at all (not a tar, truncated, unreadable folder): a fatal,
/// never-retryable outcome for ingest; exit 2 for <c>busctl bag validate</c>.
/// </summary>
public sealed class BagScanException(string code, string message, string? path = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string Code { get; } = code;
    public string? Path { get; } = path;
    public BagIssue ToIssue() => new(Code, Message, Path);
}
