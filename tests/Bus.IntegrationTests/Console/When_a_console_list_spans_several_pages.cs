using Bus.IntegrationTests.Support;
using Microsoft.Playwright;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// A list longer than a page (Bus:Console:PageSize, 100 here): "Next page" links walk to its last row
/// with the search kept, every row shown once, and "Previous page" links walk back to the first page.
/// The rows share one updated_at, so only the keyset's id tie-break keeps pages apart.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_a_console_list_spans_several_pages(ConsoleStack console)
{
    private const int Matching = 230;

    [Fact]
    public async Task Next_links_reach_the_last_row_and_previous_links_return()
    {
        var institution = $"p{Guid.NewGuid():N}"[..13] + ".test.edu";
        var token = await ApiIdentities.UserWithTokenAsync(institution, $"admin@{institution}", "institutional_admin");
        // One statement: every row gets the same updated_at. One object the search does not match.
        await console.Stack.ExecuteAsync("""
            INSERT INTO registry.intellectual_objects (identifier, institution, bag_name, title, access, storage_option)
            SELECT @i || '/' || b, @i, b, 'paged', 'Institution', 'Standard'
            FROM (SELECT 'paged-' || lpad(n::text, 3, '0') AS b FROM generate_series(1, @n) n UNION ALL SELECT 'unmatched') bags
            """, ("i", institution), ("n", Matching));

        var page = await console.SignedInPageAsync(token);
        await page.GotoAsync("/objects?q=paged-");
        var first = await IdentifiersAsync(page);
        var seen = new List<string>(first);
        var pages = 1;
        while (await HrefAsync(page, "Next page") is { } next && pages < 10)
        {
            await page.GotoAsync(next);
            seen.AddRange(await IdentifiersAsync(page));
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(Matching, seen.Count);
        Assert.Equal(Matching, seen.Distinct().Count());
        Assert.All(seen, s => Assert.StartsWith($"{institution}/paged-", s));

        while (await HrefAsync(page, "Previous page") is { } previous && pages > 0)
        {
            await page.GotoAsync(previous);
            pages--;
        }
        Assert.Equal(1, pages);
        Assert.Equal(first, await IdentifiersAsync(page));
        await page.Context.CloseAsync();
    }

    private static Task<IReadOnlyList<string>> IdentifiersAsync(IPage page) =>
        page.Locator("main table tbody tr td:first-child a").AllTextContentsAsync();

    private static async Task<string?> HrefAsync(IPage page, string name)
    {
        var link = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        return await link.CountAsync() == 0 ? null : await link.GetAttributeAsync("href");
    }
}
