using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// A depositor sees their own institution's work and nothing of another's: the ingest list, the
/// dashboard and a direct link to the other institution's ingest (the same "not found" the API gives).
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_a_depositor_signs_in_to_the_console(ConsoleStack console)
{
    [Fact]
    public async Task They_see_only_their_own_institution()
    {
        var page = await console.SignedInPageAsync(console.Tokens[(console.Own, "depositor")]);
        await Expect(page.GetByTestId("who")).ToContainTextAsync(console.Own);
        // The dashboard's holdings list the own institution only.
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = console.Own, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = console.Other, Exact = true })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Ingests" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = console.BagKey[console.Own] })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = console.BagKey[console.Other] })).ToHaveCountAsync(0);

        var other = await page.GotoAsync($"/ingests/{console.IngestId[console.Other]}");
        Assert.Equal(404, other!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();

        var own = await page.GotoAsync($"/ingests/{console.IngestId[console.Own]}");
        Assert.Equal(200, own!.Status);
        await Expect(page.GetByTestId("ingest-state")).ToHaveTextAsync("Completed");

        // Signing out ends the session: the same page now sends back to the sign-in form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/ingests");
        await Expect(page.GetByLabel("API token")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
