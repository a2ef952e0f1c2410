using System.Net;
using System.Text.RegularExpressions;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// Antiforgery on every form, proven on the sign-in form over plain HTTP: without the page's token a
/// valid API token does not sign in (400, no session cookie); with it, it does.
/// </summary>
[Collection(ConsoleCollection.Collection)]
public sealed partial class When_a_console_form_comes_without_its_token(ConsoleStack console)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [Fact]
    public async Task It_is_refused_and_signs_no_one_in()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = console.BaseUrl };
        var form = await http.GetStringAsync("/");
        var csrf = CsrfField().Match(form).Groups[1].Value;
        Assert.NotEmpty(csrf);
        var token = console.Tokens[(console.Own, "depositor")];

        using var forged = await http.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "bus_console");

        using var real = await http.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["__RequestVerificationToken"] = csrf }));
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == "bus_console");
        Assert.Contains(console.Own, await http.GetStringAsync("/"));
    }
}
