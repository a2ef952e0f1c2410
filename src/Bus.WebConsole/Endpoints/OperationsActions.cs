using Bus.Api.Authorization;
using Bus.Operations.ErrorQueues;
using Bus.WebConsole.Operations;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bus.WebConsole.Endpoints;

/// <summary>
/// Replay and archive, always in two steps. GET is the dry run: the operations service's own dry run
/// over the chosen messages (one, a failure group, or the whole queue), listed one by one, changing
/// nothing. Its page carries a confirm form with the ids of exactly those messages; POST acts on those
/// ids only, so a message that arrived in between is never replayed or archived unseen, and one that
/// left in between is reported as no longer there.
/// </summary>
public static class OperationsActions
{
    public static void MapConsoleOperationsActions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/operations/queues/{queue}/replay", ReplayDryRun);
        app.MapPost("/operations/queues/{queue}/replay", Replay);
        app.MapGet("/operations/queues/{queue}/archive", ArchiveDryRun);
        app.MapPost("/operations/queues/{queue}/archive", Archive);
    }

    private static async Task<IResult> ReplayDryRun(HttpContext http, ConsoleOperations operations, string queue, Guid? messageId, string? messageType,
        string? exceptionType, bool? all, CancellationToken ct)
    {
        var (caller, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ReplayErrorMessages);
        if (refused is not null) return refused;
        return await OperationsPages.GuardAsync(http, async () =>
        {
            var (selector, selection) = Choose(messageId, messageType, exceptionType, all);
            var report = await operations.ErrorQueues.ReplayAsync(queue, selector, dryRun: true, caller!.Email, ct);
            return await ConsolePages.RenderAsync<ReplayPage>(http, new() { ["Queue"] = queue, ["Selection"] = selection, ["Report"] = report });
        });
    }

    private static async Task<IResult> Replay(HttpContext http, ConsoleOperations operations, string queue, CancellationToken ct)
    {
        var (caller, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ReplayErrorMessages);
        if (refused is not null) return refused;
        var (form, badForm) = await ConsoleForms.ReadAsync(http);
        if (badForm is not null) return badForm;
        return await OperationsPages.GuardAsync(http, async () =>
        {
            var ids = ConfirmedIds(form!);
            var report = await operations.ErrorQueues.ReplayAsync(queue, MessageSelector.Create(ids.Select(i => i.ToString()), false, null, null), dryRun: false, caller!.Email, ct);
            return await ConsolePages.RenderAsync<ReplayPage>(http, new()
            {
                ["Queue"] = queue, ["Selection"] = $"the {ids.Count} message(s) of the dry run", ["Report"] = report,
                ["Missing"] = Missing(ids, report.Messages.Select(m => m.MessageId)),
            });
        });
    }

    private static async Task<IResult> ArchiveDryRun(HttpContext http, ConsoleOperations operations, string queue, Guid? messageId, string? messageType,
        string? exceptionType, CancellationToken ct)
    {
        var (caller, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ArchiveErrorMessages);
        if (refused is not null) return refused;
        return await OperationsPages.GuardAsync(http, async () =>
        {
            // One message or one failure group: a whole queue is archived with busctl, where the operator types it out.
            if (messageId is null && string.IsNullOrWhiteSpace(messageType) && string.IsNullOrWhiteSpace(exceptionType))
                throw new ArgumentException("Choose one message or one failure group to archive.");
            var (selector, selection) = Choose(messageId, messageType, exceptionType, false);
            var report = await operations.Archive.ArchiveAsync(queue, selector, dryRun: true, caller!.Email, ct);
            return await ConsolePages.RenderAsync<ArchivePage>(http, new() { ["Queue"] = queue, ["Selection"] = selection, ["Report"] = report });
        });
    }

    private static async Task<IResult> Archive(HttpContext http, ConsoleOperations operations, string queue, CancellationToken ct)
    {
        var (caller, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ArchiveErrorMessages);
        if (refused is not null) return refused;
        var (form, badForm) = await ConsoleForms.ReadAsync(http);
        if (badForm is not null) return badForm;
        return await OperationsPages.GuardAsync(http, async () =>
        {
            var ids = ConfirmedIds(form!);
            var report = await operations.Archive.ArchiveAsync(queue, MessageSelector.Create(ids.Select(i => i.ToString()), false, null, null), dryRun: false, caller!.Email, ct);
            return await ConsolePages.RenderAsync<ArchivePage>(http, new()
            {
                ["Queue"] = queue, ["Selection"] = $"the {ids.Count} message(s) of the dry run", ["Report"] = report,
                ["Missing"] = Missing(ids, report.Messages.Select(m => m.MessageId)),
            });
        });
    }

    /// <summary>The selector of a dry-run link and how the page names it; exactly one of message, group or all.</summary>
    private static (MessageSelector Selector, string Selection) Choose(Guid? messageId, string? messageType, string? exceptionType, bool? all)
    {
        var group = !string.IsNullOrWhiteSpace(messageType) || !string.IsNullOrWhiteSpace(exceptionType);
        if (messageId is { } id)
        {
            if (group || all == true) throw new ArgumentException("Choose one message, one failure group or the whole queue, not several.");
            return (MessageSelector.Create([id.ToString()], false, null, null), $"message {id}");
        }
        if (group)
        {
            if (all == true) throw new ArgumentException("Choose one failure group or the whole queue, not both.");
            return (ConsoleOperations.GroupSelector(messageType, exceptionType),
                $"the failure group {messageType?.Trim() ?? "(any message type)"} × {exceptionType?.Trim() ?? "(any exception type)"}");
        }
        if (all != true) throw new ArgumentException("Choose one message, one failure group or the whole queue.");
        return (MessageSelector.Create(null, true, null, null), "every message in the queue");
    }

    /// <summary>The message ids a confirm form carries: the dry run's, at most one scan's worth.</summary>
    private static List<Guid> ConfirmedIds(IFormCollection form)
    {
        var raw = form["messageId"];
        if (raw.Count == 0) throw new ArgumentException("The form named no message: go back to the dry run.");
        if (raw.Count > ConsoleOperations.ScanLimit) throw new ArgumentException($"The form named {raw.Count} messages, over {ConsoleOperations.ScanLimit}.");
        var ids = new List<Guid>(raw.Count);
        foreach (var value in raw)
            ids.Add(Guid.TryParse(value, out var id) ? id : throw new ArgumentException($"'{value}' is not a message id."));
        return ids.Distinct().ToList();
    }

    private static IReadOnlyList<Guid> Missing(IReadOnlyList<Guid> asked, IEnumerable<string?> found)
    {
        var seen = found.Select(f => Guid.TryParse(f, out var g) ? g : Guid.Empty).ToHashSet();
        return asked.Where(id => !seen.Contains(id)).ToList();
    }
}
