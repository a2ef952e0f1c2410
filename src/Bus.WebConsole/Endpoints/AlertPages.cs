using Bus.Api.Authorization;
using Bus.Registry.Store;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Bus.Registry.Model;

namespace Bus.WebConsole.Endpoints;

/// <summary>/alerts: open alerts (all=true: acknowledged too), newest first; acknowledge one.</summary>
public static class AlertPages
{
    private static readonly Keyset<Alert, Guid> NewestFirst = new(
        a => (a.CreatedAt, a.Id),
        q => q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
        q => q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
        (q, at, id) => q.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.CreatedAt, a.Id), ValueTuple.Create(at, id))),
        (q, at, id) => q.Where(a => EF.Functions.GreaterThan(ValueTuple.Create(a.CreatedAt, a.Id), ValueTuple.Create(at, id))));

    public static void MapConsoleAlerts(this IEndpointRouteBuilder app)
    {
        app.MapGet("/alerts", List);
        app.MapPost("/alerts/{id:guid}/acknowledge", Acknowledge);
    }

    private static async Task<IResult> List(HttpContext http, RegistryDatabase registry, IOptions<ConsoleOptions> console, bool? all, string? notice, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var scope = ConsoleScope.For(caller, ApiAction.ReadAlerts);
        await using var db = registry.CreateDbContext();
        var query = db.Alerts.AsNoTracking();
        if (all != true) query = query.Where(a => a.AcknowledgedAt == null);
        if (scope.InstitutionFilter is { } own)
        {
            var prefix = own + "/";
            query = query.Where(a => a.Identifier != null && a.Identifier.StartsWith(prefix));
        }
        var (rows, links) = await ConsolePaging.ReadAsync(http.Request, query, console.Value.PageSize, NewestFirst, ct);
        return await ConsolePages.RenderAsync<AlertsPage>(http, new()
        {
            ["Rows"] = rows,
            ["All"] = all == true,
            ["MayAcknowledge"] = (Func<string?, bool>)(identifier =>
                ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.AcknowledgeAlert, identifier?.Split('/', 2)[0] ?? "") == Decision.Allow),
            ["Notice"] = notice == "acknowledged" ? "Alert acknowledged." : null,
            ["Links"] = links,
        });
    }

    private static async Task<IResult> Acknowledge(HttpContext http, RegistryDatabase registry, Guid id, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (_, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        await using var db = registry.CreateDbContext();
        var alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        // An alert about nothing in particular belongs to no institution: only operators see it (as in the API).
        var decision = alert is null ? Decision.NotFound
            : ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.AcknowledgeAlert, alert.Identifier?.Split('/', 2)[0] ?? "");
        if (decision == Decision.NotFound) return await PageResults.NotFound(http, $"No alert {id}.");
        if (decision == Decision.Forbidden) return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not acknowledge alerts.");
        if (!await registry.RunAsync(store => store.AcknowledgeAlertAsync(id, caller.Email, ct), ct))
            return await ConsolePages.RenderAsync<MessagePage>(http, new() { ["Title"] = "Already acknowledged", ["Message"] = $"Alert {id} is already acknowledged." },
                StatusCodes.Status409Conflict);
        return Results.Redirect("/alerts?notice=acknowledged");
    }
}
