namespace Bus.BagIt;

/// <summary>
/// One problem found in a bag: a stable machine-readable <see cref="Code"/> (see <see cref="BagIssueCodes"/>),
/// a message for people, and the bag-relative path or tag it concerns when there is one.
/// Bag text reaches both (a 64 MiB one-line tag file, a path of any length), and issues travel in
/// broker messages and database rows: the message is cut to <see cref="MaxMessageChars"/> and the
/// path to <see cref="BagIssueList.MaxQuotedChars"/>, whatever a producer passed.
/// </summary>
public sealed record BagIssue(string Code, string Message, string? Path = null)
{
    /// <summary>Room for the fixed text and a couple of quotes of at most <see cref="BagIssueList.MaxQuotedChars"/> each.</summary>
    public const int MaxMessageChars = 1024;

    public string Message { get; init; } = BagIssueList.Cut(Message, MaxMessageChars);
    public string? Path { get; init; } = Path is null ? null : BagIssueList.Cut(Path, BagIssueList.MaxQuotedChars);
}
