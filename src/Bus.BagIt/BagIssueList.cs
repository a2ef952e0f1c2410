using System.Collections;
using System.Globalization;

namespace Bus.BagIt;

/// <summary>
/// Where every producer of issues (scanner findings, parsers, validation rules) puts them: it keeps
/// the first <see cref="MaxKept"/> in the order they were found and only counts the rest, so a bag of
/// 100,000 malformed manifest lines gives a bounded list, checkpoint and rejection message.
/// <see cref="Summarized"/> then ends the list with one <see cref="BagIssueCodes.MoreReasons"/> issue
/// saying how many were left out.
/// </summary>
public sealed class BagIssueList : IReadOnlyList<BagIssue>
{
    /// <summary>Issues kept per list (a bag's errors, its warnings, its scan findings).</summary>
    public const int MaxKept = 100;

    /// <summary>The most of one piece of input (a line, a path, a checksum) an issue quotes.</summary>
    public const int MaxQuotedChars = 512;

    private readonly List<BagIssue> _kept = [];

    public BagIssueList() { }

    public BagIssueList(IEnumerable<BagIssue> issues, long omitted = 0)
    {
        AddRange(issues);
        Omitted += omitted;
    }

    /// <summary>Issues found but not kept.</summary>
    public long Omitted { get; private set; }

    public int Count => _kept.Count;
    public BagIssue this[int index] => _kept[index];

    public void Add(BagIssue issue)
    {
        if (issue.Code == BagIssueCodes.MoreReasons) Omitted += CountIn(issue.Message);
        else if (_kept.Count < MaxKept) _kept.Add(issue);
        else Omitted++;
    }

    /// <summary>Adds issues in order; another list's left-out count is carried over.</summary>
    public void AddRange(IEnumerable<BagIssue> issues)
    {
        foreach (var issue in issues) Add(issue);
        if (issues is BagIssueList other) Omitted += other.Omitted;
    }

    /// <summary>The kept issues, then (when some were left out) one issue that says how many.</summary>
    public IReadOnlyList<BagIssue> Summarized() => Omitted == 0 ? _kept.ToList() : [.. _kept, More(Omitted)];

    public IEnumerator<BagIssue> GetEnumerator() => _kept.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The closing issue of a list that left <paramref name="omitted"/> out; its message starts with the number.</summary>
    public static BagIssue More(long omitted) =>
        new(BagIssueCodes.MoreReasons, $"{omitted.ToString(CultureInfo.InvariantCulture)} more not listed (at most {MaxKept} are listed)");

    /// <summary>How many a <see cref="BagIssueCodes.MoreReasons"/> message counts (its leading number; 0 when there is none).</summary>
    public static long CountIn(string moreMessage)
    {
        var digits = 0;
        while (digits < moreMessage.Length && digits < 18 && char.IsAsciiDigit(moreMessage[digits])) digits++;
        return digits == 0 ? 0 : long.Parse(moreMessage.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>A piece of bag input for quoting in a message: at most <see cref="MaxQuotedChars"/>, a visible ellipsis when cut.</summary>
    public static string Quote(string input) => Cut(input, MaxQuotedChars);

    internal static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1), "…");
}
