using System.Globalization;
using System.Text;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// The reports page's CSV holds what the database holds: the deposits CSV an operator downloads is
/// compared line by line with the same totals computed here straight from the registry tables.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_the_reports_are_downloaded_as_csv(ConsoleStack console)
{
    [Fact]
    public async Task The_deposits_csv_matches_the_database()
    {
        var page = await console.SignedInPageAsync(console.Tokens[(console.Own, "depositor")]);
        await page.GotoAsync("/reports");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Download deposits.csv" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);

        // The same totals, added up here from plain rows rather than by the report's SQL.
        var objects = await console.Stack.QueryAsync("""
            SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') FROM registry.intellectual_objects WHERE institution = @own AND state = 'active'
            """, r => (Id: r.GetInt64(0), Month: r.GetString(1)), ("own", console.Own));
        var files = await console.Stack.QueryAsync("""
            SELECT f.object_id, f.size FROM registry.generic_files f JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.institution = @own AND o.state = 'active' AND f.state = 'active'
            """, r => (ObjectId: r.GetInt64(0), Size: r.GetInt64(1)), ("own", console.Own));
        var expected = new StringBuilder("institution,month,objects,files,bytes\r\n");
        foreach (var month in objects.GroupBy(o => o.Month).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ids = month.Select(o => o.Id).ToHashSet();
            var own = files.Where(f => ids.Contains(f.ObjectId)).ToList();
            expected.Append(CultureInfo.InvariantCulture, $"{console.Own},{month.Key},{ids.Count},{own.Count},{own.Sum(f => f.Size)}\r\n");
        }
        Assert.NotEmpty(objects);
        // A depositor's report covers their institution only, whatever else the registry holds.
        Assert.Equal(expected.ToString(), csv);
        Assert.DoesNotContain(console.Other, csv);
        await page.Context.CloseAsync();
    }
}
