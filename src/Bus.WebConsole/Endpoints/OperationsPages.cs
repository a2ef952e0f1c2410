using Bus.Api.Authentication;
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
/// /operations (operators only, docs/console.md): error queues with their failure groups, a group's or
/// a queue's messages, one message in full. Reading never takes a message away: every scan is the
/// operations kit's, which returns each message to its place. Replay and archive: <see cref="OperationsActions"/>.
/// </summary>
public static class OperationsPages
{
    /// <summary>Rows a queue or group page lists (the dry run and the confirm cover every selected message).</summary>
    public const int ListedMessages = 100;

    public static void MapConsoleOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/operations", Overview);
        app.MapGet("/operations/queues/{queue}", Queue);
        app.MapGet("/operations/queues/{queue}/messages/{id:guid}", Message);
        app.MapConsoleOperationsActions();
        app.MapConsoleSagas();
    }

    /// <summary>The signed-in operator, or the answer for anyone else: sign in, or the console's 403 page.</summary>
    internal static async Task<(ApiCaller? Caller, IResult? Refused)> OperatorAsync(HttpContext http, ApiAction action)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return (null, signIn);
        if (ApiPolicy.ScopeFor(caller.Role, action) == Scope.None)
            return (null, await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not see the bus's operations: they are for operators."));
        return (caller, null);
    }

    /// <summary>Runs an operations call; a failure the operator can act on (no such queue, broker down) becomes a page saying so.</summary>
    internal static async Task<IResult> GuardAsync(HttpContext http, Func<Task<IResult>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (ConsoleOperations.Explain(e) is { } why && !http.RequestAborted.IsCancellationRequested)
        {
            return await ConsolePages.RenderAsync<MessagePage>(http, new()
            {
                ["Title"] = why.Status == StatusCodes.Status404NotFound ? "Not found" : "Operations unavailable", ["Message"] = why.Message,
            }, why.Status);
        }
    }

    private static async Task<IResult> Overview(HttpContext http, ConsoleOperations operations, CancellationToken ct)
    {
        var (_, refused) = await OperatorAsync(http, ApiAction.ReadErrorQueues);
        if (refused is not null) return refused;
        IReadOnlyList<ErrorQueueSummary>? queues = null;
        string? unavailable = null;
        try
        {
            queues = await operations.ErrorQueues.ListAsync(null, ct);
        }
        catch (Exception e) when (ConsoleOperations.Explain(e) is { } why && !ct.IsCancellationRequested)
        {
            // The saga search below still works without RabbitMQ.
            unavailable = why.Message;
        }
        return await ConsolePages.RenderAsync<OperationsPage>(http, new() { ["Queues"] = queues, ["Unavailable"] = unavailable, ["MaxScan"] = operations.MaxScan });
    }

    private static async Task<IResult> Queue(HttpContext http, ConsoleOperations operations, string queue, string? messageType, string? exceptionType, CancellationToken ct)
    {
        var (_, refused) = await OperatorAsync(http, ApiAction.ReadErrorQueues);
        if (refused is not null) return refused;
        return await GuardAsync(http, async () =>
        {
            var selector = ConsoleOperations.GroupSelector(messageType, exceptionType);
            if (await operations.PeekAsync(queue, selector, ct) is not { } found)
                return await PageResults.NotFound(http, $"No error queue '{queue}'.");
            return await ConsolePages.RenderAsync<ErrorQueuePage>(http, new()
            {
                ["Queue"] = queue, ["MessageType"] = Blank(messageType), ["ExceptionType"] = Blank(exceptionType),
                ["Messages"] = found.Messages, ["Scanned"] = found.Scanned, ["Truncated"] = found.Truncated,
            });
        });
    }

    private static async Task<IResult> Message(HttpContext http, ConsoleOperations operations, string queue, Guid id, CancellationToken ct)
    {
        var (_, refused) = await OperatorAsync(http, ApiAction.ReadErrorQueues);
        if (refused is not null) return refused;
        return await GuardAsync(http, async () =>
        {
            // A replayed copy that faulted again carries the same MessageId: the first one is shown.
            var view = (await operations.ErrorQueues.ShowAsync(queue, id, 1, ct))[0];
            return await ConsolePages.RenderAsync<ErrorMessagePage>(http, new()
            {
                ["Queue"] = queue, ["Message"] = view, ["Sagas"] = await operations.SagasNamedByAsync(view, ct),
            });
        });
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
