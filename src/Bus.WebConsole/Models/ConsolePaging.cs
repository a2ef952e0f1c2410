using Bus.Api.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Bus.WebConsole.Models;

/// <summary>Where a list page's "Previous page" and "Next page" links go (null: no such page).</summary>
public sealed record PageLinks(string? Previous, string? Next)
{
    public static readonly PageLinks None = new(null, null);
}

/// <summary>
/// How one list is ordered for keyset paging: newest first by (time, id), as the API pages the same
/// rows; <see cref="Older"/> keeps the rows after a key in that order, <see cref="Newer"/> the rows before it.
/// </summary>
public sealed record Keyset<T, TId>(
    Func<T, (DateTimeOffset At, TId Id)> KeyOf,
    Func<IQueryable<T>, IOrderedQueryable<T>> NewestFirst,
    Func<IQueryable<T>, IOrderedQueryable<T>> OldestFirst,
    Func<IQueryable<T>, DateTimeOffset, TId, IQueryable<T>> Older,
    Func<IQueryable<T>, DateTimeOffset, TId, IQueryable<T>> Newer);

/// <summary>
/// Keyset paging of the console's lists with the API's cursor (<see cref="Cursor"/>): <c>after</c> (the
/// last row of the page before) or <c>before</c> (the first row of the page after) in the query string,
/// every other query parameter (the filters) kept in the links. A cursor that does not decode shows the
/// first page. Pages stay stable while new rows arrive.
/// </summary>
public static class ConsolePaging
{
    public static async Task<(List<T> Rows, PageLinks Links)> ReadAsync<T, TId>(
        HttpRequest request, IQueryable<T> query, int size, Keyset<T, TId> keys, CancellationToken ct)
        where TId : IParsable<TId>
    {
        var after = Decode<TId>(request.Query["after"]);
        var before = after is null ? Decode<TId>(request.Query["before"]) : null;
        if (before is { } b)
        {
            // The page ending just before the cursor: read backwards, then turn it round.
            var rows = await keys.OldestFirst(keys.Newer(query, b.At, b.Id)).Take(size + 1).ToListAsync(ct);
            var morePrevious = rows.Count > size;
            rows = rows.Take(size).Reverse().ToList();
            if (rows.Count == 0) return (rows, new(null, Link(request, "after", b)));
            return (rows, new(morePrevious ? Link(request, "before", keys.KeyOf(rows[0])) : null, Link(request, "after", keys.KeyOf(rows[^1]))));
        }
        var page = await keys.NewestFirst(after is { } a ? keys.Older(query, a.At, a.Id) : query).Take(size + 1).ToListAsync(ct);
        var moreNext = page.Count > size;
        page = page.Take(size).ToList();
        var previous = after is not { } from ? null : Link(request, "before", page.Count > 0 ? keys.KeyOf(page[0]) : from);
        return (page, new(previous, moreNext ? Link(request, "after", keys.KeyOf(page[^1])) : null));
    }

    private static (DateTimeOffset At, TId Id)? Decode<TId>(string? text) where TId : IParsable<TId> =>
        !string.IsNullOrEmpty(text) && Cursor.TryDecode(text, out var cursor) && cursor is { } c
            && TId.TryParse(c.Id, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? (c.At, id) : null;

    /// <summary>This page's path and query with the paging parameter replaced (notices are not carried along).</summary>
    private static string Link<TId>(HttpRequest request, string direction, (DateTimeOffset At, TId Id) key)
    {
        var pairs = request.Query.Where(p => p.Key is not ("after" or "before" or "notice"))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new(direction, new Cursor(key.At, Convert.ToString(key.Id, System.Globalization.CultureInfo.InvariantCulture)!).Encode()));
        return request.Path + QueryString.Create(pairs).ToUriComponent();
    }
}
