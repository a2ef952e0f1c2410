using Microsoft.Playwright;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// Not a check: `make console-screenshots` runs this with BUS_CONSOLE_SCREENSHOTS set to regenerate the
/// pictures in docs/console.md from a live host. Without the variable it does nothing.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class Console_screenshots(ConsoleStack console)
{
    [Fact]
    public async Task Regenerate_when_asked()
    {
        var folder = Environment.GetEnvironmentVariable("BUS_CONSOLE_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        var page = await console.SignedInPageAsync(console.Tokens[(console.Own, "institutional_admin")]);
        await page.SetViewportSizeAsync(1280, 860);
        foreach (var (name, path) in new[]
                 {
                     ("dashboard", "/"), ("ingests", "/ingests"), ("ingest", $"/ingests/{console.IngestId[console.Own]}"),
                     ("object", $"/objects/{console.BagKey[console.Own][..^4]}"), ("deletions", "/deletions"), ("alerts", "/alerts"), ("reports", "/reports"),
                 })
        {
            await page.GotoAsync(path);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
        // The Operations pages are an operator's.
        var operations = await console.SignedInPageAsync(console.Tokens[(console.Own, "operator")]);
        await operations.SetViewportSizeAsync(1280, 860);
        foreach (var (name, path) in new[] { ("operations", "/operations"), ("saga", $"/operations/sagas/{console.IngestId[console.Own]}") })
        {
            await operations.GotoAsync(path);
            await operations.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
        await operations.Context.CloseAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-phone.png"), FullPage = true });
        await page.Context.CloseAsync();
    }
}
