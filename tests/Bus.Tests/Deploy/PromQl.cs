using System.Text.RegularExpressions;

namespace Bus.Tests.Deploy;

/// <summary>
/// Just enough PromQL reading to find which Bus and MassTransit metric and label names an expression uses:
/// label names sit inside <c>{...}</c> matchers and <c>by/without/on/ignoring/group_*(...)</c> clauses; every other
/// <c>bus_*</c> or <c>messaging_masstransit_*</c> identifier outside a string is a metric name.
/// </summary>
public static partial class PromQl
{
    public static (IReadOnlyList<string> Metrics, IReadOnlyList<string> Labels) Names(string expr)
    {
        var noStrings = Strings().Replace(expr, "\"\"");
        var labels = new List<string>();
        foreach (Match m in Matchers().Matches(noStrings))
            labels.AddRange(LabelInMatcher().Matches(m.Groups[1].Value).Select(x => x.Groups[1].Value));
        foreach (Match m in Grouping().Matches(noStrings))
            labels.AddRange(m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        // label_values(metric, label) in a dashboard variable: the second argument is a label.
        foreach (Match m in LabelValues().Matches(noStrings)) labels.Add(m.Groups[1].Value);
        var rest = LabelValues().Replace(Grouping().Replace(Matchers().Replace(noStrings, ""), ""), "");
        var metrics = Ours().Matches(rest).Select(m => m.Value).ToList();
        return (metrics.Distinct().ToList(), labels.Distinct().ToList());
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{([^}]*)\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex LabelInMatcher();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"label_values\(\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\b(?:bus|messaging_masstransit)_[a-zA-Z0-9_]+\b")]
    private static partial Regex Ours();
}
