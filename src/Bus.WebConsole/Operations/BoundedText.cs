namespace Bus.WebConsole.Operations;

/// <summary>
/// At most <c>max</c> characters of a text a message carries (body, stack trace, header): a faulted
/// message can be as large as the broker allows (128 MiB), the page must not be. The rest is counted, not sent.
/// </summary>
public static class BoundedText
{
    public const int Body = 16 * 1024;
    public const int StackTrace = 8 * 1024;
    public const int Header = 1024;

    public static (string Shown, int Left) Of(string? text, int max)
    {
        if (string.IsNullOrEmpty(text)) return ("", 0);
        return text.Length <= max ? (text, 0) : (text[..max], text.Length - max);
    }
}
