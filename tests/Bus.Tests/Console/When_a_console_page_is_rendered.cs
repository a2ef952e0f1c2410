using System.Text.RegularExpressions;
using Bus.Api.Authentication;
using Bus.Ingest.StateMachines;
using Bus.Registry.Model;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Tests.Console;

/// <summary>Pages rendered on the server as the host renders them (HtmlRenderer), without a server.</summary>
public sealed partial class When_a_console_page_is_rendered
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddLogging().BuildServiceProvider();
    private static Viewer ViewerAs(string role) => new(new ApiCaller("a@x.edu", "x.edu", role), "csrf-token-value", "/ingests/1");

    private static IngestState Running() => new()
    {
        CorrelationId = Guid.NewGuid(), CurrentState = "Storing", CurrentStep = "Store", Institution = "x.edu", Key = "x.edu/bag.tar",
        Bucket = "bus-receiving", SubmittedBy = "a@x.edu", ReceivedAt = DateTimeOffset.UtcNow, ProgressDone = 3, ProgressTotal = 4,
    };

    [GeneratedRegex("<form[^>]*method=\"post\"[\\s\\S]*?</form>")]
    private static partial Regex PostForm();

    [Fact]
    public async Task Every_post_form_carries_the_antiforgery_token()
    {
        var pages = new[]
        {
            await ConsolePages.RenderToStringAsync<IngestPage>(Services, new() { ["Viewer"] = ViewerAs(Roles.Depositor), ["Row"] = Running(), ["MayCancel"] = true }),
            await ConsolePages.RenderToStringAsync<SignInPage>(Services, new() { ["Viewer"] = new Viewer(null, "csrf-token-value", "/") }),
            await ConsolePages.RenderToStringAsync<UploadPage>(Services, new() { ["Viewer"] = ViewerAs(Roles.Depositor), ["StorageOptions"] = new List<string> { "Standard" } }),
            await ConsolePages.RenderToStringAsync<AlertsPage>(Services, new()
            {
                ["Viewer"] = ViewerAs(Roles.InstitutionalAdmin),
                ["Rows"] = new List<Alert> { new() { Id = Guid.NewGuid(), Kind = "lost", Identifier = "x.edu/bag", Message = "m" } },
                ["MayAcknowledge"] = (Func<string?, bool>)(_ => true),
            }),
        };
        var forms = pages.SelectMany(p => PostForm().Matches(p)).Select(m => m.Value).ToList();
        Assert.True(forms.Count >= 5, $"expected the cancel, sign-out, sign-in, upload and acknowledge forms, found {forms.Count}");
        Assert.All(forms, f => Assert.Contains($"name=\"{Viewer.CsrfField}\" value=\"csrf-token-value\"", f));
    }

    [Fact]
    public async Task The_cancel_button_is_shown_only_to_who_may_cancel()
    {
        var may = await ConsolePages.RenderToStringAsync<IngestPage>(Services, new() { ["Viewer"] = ViewerAs(Roles.Depositor), ["Row"] = Running(), ["MayCancel"] = true });
        var mayNot = await ConsolePages.RenderToStringAsync<IngestPage>(Services, new() { ["Viewer"] = ViewerAs(Roles.Operator), ["Row"] = Running(), ["MayCancel"] = false });
        Assert.Contains("Cancel this ingest", may);
        Assert.DoesNotContain("Cancel this ingest", mayNot);
        Assert.Contains("<progress", may);
    }

    [Fact]
    public async Task Times_carry_their_instant_for_the_viewers_zone()
    {
        var row = Running();
        row.ReceivedAt = new DateTimeOffset(2026, 12, 6, 11, 30, 0, TimeSpan.Zero);
        var html = await ConsolePages.RenderToStringAsync<IngestPage>(Services, new() { ["Viewer"] = ViewerAs(Roles.Depositor), ["Row"] = row });
        Assert.Contains("<time datetime=\"2026-12-06T11:30:00Z\">2026-12-06 11:30:00 UTC</time>", html);
    }
}
