using Bus.IntegrationTests.Ingest;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Bus.IntegrationTests.Console;

/// <summary>A depositor uploads a bag through the console's form and watches its page until it reaches Completed.</summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_a_bag_is_uploaded_in_the_console(ConsoleStack console)
{
    [Fact]
    public async Task The_ingest_page_follows_it_to_completed()
    {
        var page = await console.SignedInPageAsync(console.Tokens[(console.Own, "depositor")]);
        var bag = new TestBag("upload-" + Guid.NewGuid().ToString("N")[..8]);
        var tar = console.WriteTar(bag);

        await page.GetByRole(AriaRole.Link, new() { Name = "Ingests" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Upload a bag" }).ClickAsync();
        await page.GetByLabel("Bag tar").SetInputFilesAsync(tar);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and ingest" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Uploaded and submitted");
        // The page refreshes itself while the ingest runs.
        await Expect(page.GetByTestId("ingest-state")).ToHaveTextAsync("Completed", new() { Timeout = 180_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{console.Own}/{bag.Name}" })).ToBeVisibleAsync();
        var state = await console.Stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE key = @key", r => r.GetString(0),
            ("key", $"{console.Own}/{bag.Name}.tar"));
        Assert.Equal(["Completed"], state);
        await page.Context.CloseAsync();
    }
}
