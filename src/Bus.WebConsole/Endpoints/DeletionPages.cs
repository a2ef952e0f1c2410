using Bus.Api.Authorization;
using Bus.Contracts.Deletion;
using Bus.Deletion.Data;
using Bus.Deletion.StateMachines;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Endpoints;

/// <summary>
/// /deletions: request a deletion, pending requests with approve/reject/cancel, and history. Every
/// decision goes to the deletion saga as the API sends it (the saga itself refuses a requester's own
/// approval, another institution, a wrong role); its refusal is shown on the page.
/// </summary>
public static class DeletionPages
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private static readonly Keyset<DeletionState, Guid> NewestFirst = new(
        r => (r.RequestedAt, r.CorrelationId),
        q => q.OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.CorrelationId),
        q => q.OrderBy(r => r.RequestedAt).ThenBy(r => r.CorrelationId),
        (q, at, id) => q.Where(r => EF.Functions.LessThan(ValueTuple.Create(r.RequestedAt, r.CorrelationId), ValueTuple.Create(at, id))),
        (q, at, id) => q.Where(r => EF.Functions.GreaterThan(ValueTuple.Create(r.RequestedAt, r.CorrelationId), ValueTuple.Create(at, id))));

    public static void MapConsoleDeletions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/deletions", List);
        app.MapPost("/deletions", Request);
        app.MapPost("/deletions/{id:guid}/approve", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
            DecideAsync(h, p, b, id, ApiAction.DecideDeletion, "approved", (by, c) => new ApproveDeletion { RequestId = id, By = by, Comment = c }, ct));
        app.MapPost("/deletions/{id:guid}/reject", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
            DecideAsync(h, p, b, id, ApiAction.DecideDeletion, "rejected", (by, c) => new RejectDeletion { RequestId = id, By = by, Comment = c }, ct));
        app.MapPost("/deletions/{id:guid}/cancel", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
            DecideAsync(h, p, b, id, ApiAction.CancelDeletion, "cancelled", (by, c) => new CancelDeletion { RequestId = id, By = by, Comment = c }, ct));
    }

    private static async Task<IResult> List(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, string? notice, CancellationToken ct) =>
        await RenderAsync(http, contexts, notice switch
        {
            "requested" => "Deletion requested: another admin of your institution approves it.",
            "approved" => "Approved: the deletion runs now.",
            "rejected" => "Rejected.",
            "cancelled" => "Request withdrawn.",
            _ => null,
        }, null, null, StatusCodes.Status200OK, ct);

    private static async Task<IResult> RenderAsync(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, string? notice, string? error, string? identifier, int status, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var scope = ConsoleScope.For(caller, ApiAction.ReadDeletion);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Requests.AsNoTracking();
        if (scope.InstitutionFilter is { } own) query = query.Where(r => r.Institution == own);
        var pageSize = http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.PageSize;
        // Pending requests expire, so they stay few: the oldest page of them, the history paged.
        var pending = await query.Where(r => r.CurrentState == "PendingApproval").OrderBy(r => r.RequestedAt).ThenBy(r => r.CorrelationId).Take(pageSize).ToListAsync(ct);
        var (history, historyLinks) = await ConsolePaging.ReadAsync(http.Request, query.Where(r => r.CurrentState != "PendingApproval"), pageSize, NewestFirst, ct);
        return await ConsolePages.RenderAsync<DeletionsPage>(http, new()
        {
            ["Pending"] = pending, ["History"] = history, ["HistoryLinks"] = historyLinks, ["Notice"] = notice, ["Error"] = error, ["Identifier"] = identifier,
            ["MayDecide"] = (Func<DeletionState, bool>)(r => ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.DecideDeletion, r.Institution) == Decision.Allow),
            ["MayCancel"] = (Func<DeletionState, bool>)(r => ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.CancelDeletion, r.Institution) == Decision.Allow),
        }, status);
    }

    private static async Task<IResult> Request(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, IBus bus, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (form, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        var identifier = form!["identifier"].ToString().Trim();
        var reason = form["reason"].ToString().Trim();
        string? error = null;
        if (!Identifiers.TryParse(identifier, out var parsed, out var parseError)) error = parseError;
        else if (ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.RequestDeletion, parsed.Institution) != Decision.Allow)
            error = $"Your role ({caller.Role}) may not request deletions of '{identifier}'.";
        else if (reason.Length == 0) error = "A reason is required: it is kept in the PREMIS deletion event.";
        else if (reason.Length > 2000) error = $"The reason is {reason.Length} characters, over 2000.";
        if (error is null)
        {
            var message = new RequestDeletion { RequestId = NewId.NextGuid(), Identifier = identifier, RequestedBy = caller.Email, Reason = reason };
            error = await AskAsync(bus, message, ct);
            if (error is null) return Results.Redirect("/deletions?notice=requested");
        }
        return await RenderAsync(http, contexts, null, error, identifier, StatusCodes.Status409Conflict, ct);
    }

    private static async Task<IResult> DecideAsync<T>(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, IBus bus, Guid id, ApiAction action, string done,
        Func<string, string?, T> make, CancellationToken ct) where T : class
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (form, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var row = await db.Requests.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == id, ct);
            var decision = row is null ? Decision.NotFound : ApiPolicy.Decide(caller.Role, caller.Institution, action, row.Institution);
            if (decision == Decision.NotFound) return await PageResults.NotFound(http, $"No deletion request {id}.");
            if (decision == Decision.Forbidden) return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not do this to deletion requests.");
        }
        var comment = form!["comment"].ToString().Trim();
        var error = await AskAsync(bus, make(caller.Email, comment.Length == 0 ? null : comment[..Math.Min(comment.Length, 2000)]), ct);
        return error is null ? Results.Redirect($"/deletions?notice={done}")
            : await RenderAsync(http, contexts, null, error, null, StatusCodes.Status409Conflict, ct);
    }

    /// <summary>Asks the deletion saga; null when it accepted, else its refusal (or that it did not answer) for the page.</summary>
    private static async Task<string?> AskAsync<T>(IBus bus, T message, CancellationToken ct) where T : class
    {
        var client = bus.CreateRequestClient<T>(RequestTimeout.After(s: (int)AnswerTimeout.TotalSeconds));
        try
        {
            var response = await client.GetResponse<DeletionAccepted, DeletionRefused>(message, ct);
            return response.Is(out Response<DeletionRefused>? refusal) ? $"Refused ({refusal.Message.Code}): {refusal.Message.Reason}" : null;
        }
        catch (RequestTimeoutException)
        {
            return $"The deletion service did not answer within {AnswerTimeout.TotalSeconds} s: nothing was decided; try again later.";
        }
    }
}
