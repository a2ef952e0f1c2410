using Bus.Platform.Options;
using Bus.WebConsole;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Tests.Console;

/// <summary>Bus:Console at start-up: thresholds in range, OIDC complete when on, no working default secret in Production.</summary>
public sealed class When_console_options_are_validated
{
    private static List<string> Errors(ConsoleOptions options, string environment = "Development") =>
        BusOptionsValidator<ConsoleOptions>.Check(options, environment).ToList();

    private static ConsoleOptions WithOidc(Action<ConsoleOidcOptions>? change = null)
    {
        var options = new ConsoleOptions { Oidc = { Authority = "https://idp.example.edu/realms/bus", ClientId = "bus-console", ClientSecret = "s3cr3t-from-the-idp" } };
        change?.Invoke(options.Oidc);
        return options;
    }

    [Fact]
    public void The_defaults_start_in_production_with_oidc_off() => Assert.Empty(Errors(new ConsoleOptions(), "Production"));

    [Fact]
    public void A_complete_oidc_client_starts_in_production() => Assert.Empty(Errors(WithOidc(), "Production"));

    [Theory]
    [InlineData("StuckAfter")]
    [InlineData("RecentWindow")]
    [InlineData("DashboardRefresh")]
    [InlineData("IngestRefresh")]
    [InlineData("FixityReportWindow")]
    [InlineData("SessionIdle")]
    public void A_zero_window_is_refused_by_name(string key)
    {
        var options = new ConsoleOptions();
        typeof(ConsoleOptions).GetProperty(key)!.SetValue(options, TimeSpan.Zero);
        Assert.Contains(Errors(options), e => e.StartsWith($"Bus:Console:{key} ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_page_size_out_of_range_is_refused() =>
        Assert.Contains(Errors(new ConsoleOptions { PageSize = 0 }), e => e.StartsWith("Bus:Console:PageSize ", StringComparison.Ordinal));

    [Fact]
    public void Oidc_without_a_client_id_or_openid_scope_is_refused()
    {
        var errors = Errors(WithOidc(o => { o.ClientId = " "; o.Scopes = "email profile"; }));
        Assert.Contains(errors, e => e.StartsWith("Bus:Console:Oidc:ClientId ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bus:Console:Oidc:Scopes ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bus-secret")]
    public void Production_refuses_an_oidc_client_without_a_real_secret(string? secret) =>
        Assert.Contains(Errors(WithOidc(o => o.ClientSecret = secret), "Production"), e => e.StartsWith("Bus:Console:Oidc:ClientSecret ", StringComparison.Ordinal));

    [Fact]
    public void Production_refuses_a_remote_authority_over_plain_http() =>
        Assert.Contains(Errors(WithOidc(o => o.Authority = "http://idp.example.edu"), "Production"), e => e.StartsWith("Bus:Console:Oidc:Authority ", StringComparison.Ordinal));

    [Fact]
    public void The_test_environment_refuses_a_remote_authority() =>
        Assert.Contains(Errors(WithOidc(), "Test"), e => e.Contains("idp.example.edu", StringComparison.Ordinal));

    [Theory]
    [InlineData(24 * 60, "24 hours")]
    [InlineData(60, "1 hour")]
    [InlineData(90 * 24 * 60, "90 days")]
    [InlineData(30, "30 minutes")]
    [InlineData(90, "1.5 hours")]
    public void Windows_are_shown_in_words(int minutes, string words) => Assert.Equal(words, Humanize.Window(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public async Task The_sign_in_page_offers_the_provider_only_when_configured()
    {
        var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var viewer = new Viewer(null, "csrf", "/");
        var off = await ConsolePages.RenderToStringAsync<SignInPage>(services, new() { ["Viewer"] = viewer });
        var on = await ConsolePages.RenderToStringAsync<SignInPage>(services, new() { ["Viewer"] = viewer, ["OidcProvider"] = "Example IdP" });
        Assert.DoesNotContain("/sign-in/oidc", off);
        Assert.Contains("Sign in with Example IdP", on);
        Assert.Contains("href=\"/sign-in/oidc\"", on);
    }
}
