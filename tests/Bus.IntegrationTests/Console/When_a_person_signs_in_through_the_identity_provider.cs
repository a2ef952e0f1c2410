using Bus.WebConsole.Authentication;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// OIDC sign-in against <see cref="TestOpenIdProvider"/> (another site than the console): a registered
/// email gets the same session as a token sign-in, filtered to its institution; an email Bus does not
/// know, or an id_token signed by a key the provider does not publish, ends on the sign-in page with a
/// refusal and no session cookie.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed class When_a_person_signs_in_through_the_identity_provider(ConsoleStack console)
{
    [Fact]
    public async Task A_registered_email_sees_only_its_institution()
    {
        var page = await AtProviderAsync(console.Emails[(console.Other, "depositor")], otherKey: false);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("who")).ToContainTextAsync($"{console.Emails[(console.Other, "depositor")]} · {console.Other}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Ingests" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = console.BagKey[console.Other] })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = console.BagKey[console.Own] })).ToHaveCountAsync(0);
        var own = await page.GotoAsync($"/ingests/{console.IngestId[console.Own]}");
        Assert.Equal(404, own!.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_unknown_email_is_refused_without_a_session()
    {
        var unknown = $"nobody-{Guid.NewGuid():N}@{console.Own}";
        var page = await AtProviderAsync(unknown, otherKey: false);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"{unknown} is not a registered Bus user");
        await AssertNoSessionAsync(page);
    }

    [Fact]
    public async Task An_id_token_signed_by_another_key_is_refused_without_a_session()
    {
        var page = await AtProviderAsync(console.Emails[(console.Own, "operator")], otherKey: true);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("could not be verified");
        await AssertNoSessionAsync(page);
    }

    /// <summary>From the console's sign-in page through the provider's page and back; returns where the browser ends.</summary>
    private async Task<IPage> AtProviderAsync(string email, bool otherKey)
    {
        var context = await console.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.BaseUrl.ToString(), TimezoneId = "Europe/Zurich" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {TestOpenIdProvider.Name}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test IdP" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        if (otherKey) await page.GetByLabel("Sign with another key").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        return page;
    }

    private static async Task AssertNoSessionAsync(IPage page)
    {
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == ConsoleAuthentication.CookieName);
        await page.GotoAsync("/ingests");
        await Expect(page.GetByLabel("API token")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
