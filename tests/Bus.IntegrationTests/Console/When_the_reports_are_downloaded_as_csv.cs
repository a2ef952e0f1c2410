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

        var expected = new StringBuilder("institution,month,objects,files,bytes\r\n");
        foreach (var line in await console.Stack.QueryAsync("""
            SELECT o.institution, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM'), count(*),
                   (SELECT count(*) FROM registry.generic_files f JOIN registry.intellectual_objects x ON x.id = f.object_id
                     WHERE x.institution = o.institution AND f.state = 'active' AND x.state = 'active'
                       AND to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM') = to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM')),
                   (SELECT coalesce(sum(f.size), 0) FROM registry.generic_files f JOIN registry.intellectual_objects x ON x.id = f.object_id
                     WHERE x.institution = o.institution AND f.state = 'active' AND x.state = 'active'
                       AND to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM') = to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM'))
            FROM registry.intellectual_objects o WHERE o.institution = @own AND o.state = 'active' GROUP BY 1, 2 ORDER BY 2
            """, r => string.Join(',', r.GetString(0), r.GetString(1), r.GetInt64(2).ToString(CultureInfo.InvariantCulture),
                r.GetInt64(3).ToString(CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
            ("own", console.Own)))
            expected.Append(line).Append("\r\n");
        // A depositor's report covers their institution only, whatever else the registry holds.
        Assert.Equal(expected.ToString(), csv);
        Assert.DoesNotContain(console.Other, csv);
        await page.Context.CloseAsync();
    }
}
