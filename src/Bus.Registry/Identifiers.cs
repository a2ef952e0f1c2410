using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Bus.Registry;

/// <summary>What an identifier names: an institution's object (<c>inst/bag</c>) or a file in it (<c>inst/bag/data/x</c>).</summary>
public sealed record ParsedIdentifier(string Institution, string BagName, string? Path)
{
    public string ObjectIdentifier => $"{Institution}/{BagName}";
    public bool IsFile => Path is not null;
}

/// <summary>
/// Validation of the registry's identifiers, so a typo gets a specific message instead of "not found".
/// Institutions are domain names (<c>test.edu</c>); bag names one path segment; file paths relative,
/// without empty, <c>.</c> or <c>..</c> segments (path safety: no traversal out of a bag).
/// </summary>
public static partial class Identifiers
{
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")]
    private static partial Regex InstitutionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex BagNamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    public static string? InstitutionError(string identifier) =>
        InstitutionPattern().IsMatch(identifier) ? null
            : $"invalid institution identifier '{identifier}': expected a lower-case domain name such as test.edu";

    public static string? EmailError(string email) =>
        EmailPattern().IsMatch(email) ? null : $"invalid email address '{email}'";

    public static bool TryParse(string identifier, [NotNullWhen(true)] out ParsedIdentifier? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        var parts = identifier.Split('/', 3);
        if (parts.Length < 2)
        {
            error = $"invalid identifier '{identifier}': expected institution/bag-name or institution/bag-name/path";
            return false;
        }
        error = InstitutionError(parts[0]);
        if (error is not null) { error = $"invalid identifier '{identifier}': {error}"; return false; }
        if (!BagNamePattern().IsMatch(parts[1]))
        {
            error = $"invalid identifier '{identifier}': bag name '{parts[1]}' must start with a letter or digit and contain only letters, digits, '.', '_' or '-'";
            return false;
        }
        string? path = null;
        if (parts.Length == 3)
        {
            path = parts[2];
            var segments = path.Split('/');
            if (segments.Any(s => s.Length == 0 || s == "." || s == "..") || path.Any(char.IsControl))
            {
                error = $"invalid identifier '{identifier}': file path '{path}' has an empty, '.' or '..' segment or a control character";
                return false;
            }
        }
        parsed = new ParsedIdentifier(parts[0], parts[1], path);
        return true;
    }

    /// <summary>Parses and throws <see cref="ArgumentException"/> with the specific reason (for store callers: a bug, not input).</summary>
    public static ParsedIdentifier Parse(string identifier) =>
        TryParse(identifier, out var parsed, out var error) ? parsed : throw new ArgumentException(error, nameof(identifier));

    public static string ForObject(string institution, string bagName) => $"{institution}/{bagName}";
    public static string ForFile(string objectIdentifier, string path) => $"{objectIdentifier}/{path}";
}
