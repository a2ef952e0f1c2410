using Bus.Api.Authentication;
using Bus.Operations.ErrorQueues;
using Bus.Registry.Model;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Tests.Console;

/// <summary>The Operations pages as the host renders them: the confirm form, the menu, bounded message text.</summary>
public sealed class When_an_operations_page_is_rendered
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddLogging().BuildServiceProvider();
    private static Viewer ViewerAs(string role) => new(new ApiCaller("a@x.edu", "x.edu", role), "csrf-token-value", "/operations");

    [Fact]
    public async Task The_dry_runs_confirm_form_carries_exactly_the_messages_it_would_replay()
    {
        var ready = Guid.NewGuid();
        var refused = Guid.NewGuid();
        var report = new ReplayReport("ingest-store_error", true, 2, false,
        [
            new ReplayedMessage(0, ready.ToString(), "ingest-store", ReplayOutcome.WouldReplay, null),
            new ReplayedMessage(1, refused.ToString(), null, ReplayOutcome.Failed, "target refused"),
        ]);
        var html = await ConsolePages.RenderToStringAsync<ReplayPage>(Services, new()
        {
            ["Viewer"] = ViewerAs(Roles.Operator), ["Queue"] = "ingest-store_error", ["Selection"] = "every message in the queue", ["Report"] = report,
        });
        Assert.Contains("Dry run, nothing changed: 1 of every message in the queue in ingest-store_error would be replayed to ingest-store; 1 cannot be", html);
        Assert.Contains($"<input type=\"hidden\" name=\"messageId\" value=\"{ready}\" />", html);
        Assert.DoesNotContain($"name=\"messageId\" value=\"{refused}\"", html);
        Assert.Contains($"name=\"{Viewer.CsrfField}\" value=\"csrf-token-value\"", html);
        Assert.Contains("Replay 1 message(s)", html);

        var result = await ConsolePages.RenderToStringAsync<ReplayPage>(Services, new()
        {
            ["Viewer"] = ViewerAs(Roles.Operator), ["Queue"] = "ingest-store_error", ["Selection"] = "x", ["Missing"] = new List<Guid> { refused },
            ["Report"] = report with { DryRun = false, Messages = [report.Messages[0] with { Outcome = ReplayOutcome.Replayed }] },
        });
        Assert.Contains("Replayed 1, failed 0, 1 no longer in the queue.", result);
        Assert.DoesNotContain("name=\"messageId\"", result);
    }

    [Fact]
    public async Task Only_operators_get_the_operations_menu_item()
    {
        var page = new Dictionary<string, object?> { ["Title"] = "t", ["Message"] = "m" };
        var asOperator = await ConsolePages.RenderToStringAsync<MessagePage>(Services, new(page) { ["Viewer"] = ViewerAs(Roles.Operator) });
        Assert.Contains("href=\"/operations\"", asOperator);
        foreach (var role in new[] { Roles.Depositor, Roles.InstitutionalAdmin })
            Assert.DoesNotContain("href=\"/operations\"", await ConsolePages.RenderToStringAsync<MessagePage>(Services, new(page) { ["Viewer"] = ViewerAs(role) }));
    }

    [Fact]
    public async Task A_large_message_is_shown_cut_to_its_limits()
    {
        var empty = new Dictionary<string, string?>();
        var view = new ErrorMessageView(0, Guid.NewGuid().ToString(), ["urn:message:Bus:Big"], "System.Exception", new string('e', 5000), "fault",
            DateTimeOffset.UtcNow, null, null, "0", 0, null, empty, empty, empty, new Dictionary<string, string?> { ["x-big"] = new string('h', 100_000) },
            new string('b', 1_000_000), new string('s', 100_000), null);
        var html = await ConsolePages.RenderToStringAsync<ErrorMessagePage>(Services, new()
        {
            ["Viewer"] = ViewerAs(Roles.Operator), ["Queue"] = "q_error", ["Message"] = view,
        });
        Assert.True(html.Length < 60_000, $"the page is {html.Length} characters");
        Assert.Contains("983,616 more characters not shown", html);
    }
}
