using System.Buffers.Text;
using System.Text;

namespace Bus.Api.Endpoints;

/// <summary>
/// Keyset paging: <c>limit</c> (1..MaxPageSize, default 50) and <c>after</c>, an opaque cursor the
/// previous page returned as <c>next</c> (null on the last page). A cursor names the last row seen
/// (its sort time and id), so pages stay stable while rows are added.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

public readonly record struct Cursor(DateTimeOffset At, string Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{At.UtcTicks}|{Id}"));

    public static bool TryDecode(string? text, out Cursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text)) return true;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('|', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], out var ticks) || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks || parts[1].Length is 0 or > 200)
                return false;
            cursor = new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public static class Paging
{
    public const int DefaultLimit = 50;

    public static string? LimitError(int? limit, int max) =>
        limit is { } l && (l < 1 || l > max) ? $"limit must be 1-{max} (got {l})" : null;

    /// <summary>Given up to limit+1 rows, the page and the cursor of its last row when more follow.</summary>
    public static Page<TView> Make<TRow, TView>(IReadOnlyList<TRow> rows, int limit, Func<TRow, Cursor> cursorOf, Func<TRow, TView> view) =>
        new(rows.Take(limit).Select(view).ToList(), rows.Count > limit ? cursorOf(rows[limit - 1]).Encode() : null);
}
