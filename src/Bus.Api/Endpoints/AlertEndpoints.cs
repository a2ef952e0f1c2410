using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Registry.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>/api/v1/alerts: what fixity raised, newest first; callers scoped to their institution see its alerts only.</summary>
public static class AlertEndpoints
{
    public sealed record AlertView(Guid Id, string Kind, string? Identifier, string Message, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy);

    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder api)
    {
        api.MapGet("/alerts", List).WithTags("Alerts").WithName("ListAlerts").WithSummary("Open alerts (all=true: acknowledged too), newest first (paged)")
            .Produces<Page<AlertView>>().Problems(ApiErrors.InvalidRequest, ApiErrors.InvalidCursor, ApiErrors.Forbidden);
        api.MapPost("/alerts/{id:guid}/acknowledge", Acknowledge).WithTags("Alerts").WithName("AcknowledgeAlert")
            .WithSummary("Acknowledge an open alert: the acknowledger is the caller (institutional admins, operators)")
            .NoBody().Produces<AlertView>().Problems(ApiErrors.Forbidden, ApiErrors.NotFound, ApiErrors.Conflict);
        return api;
    }

    private static async Task<IResult> Acknowledge(HttpContext http, RegistryDatabase registry, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        await using var db = registry.CreateDbContext();
        var alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        var missing = $"no alert {id}";
        if (alert is null) return ApiErrors.NotFound.Problem(missing);
        // An alert about nothing in particular belongs to no institution: only operators see it.
        var institution = alert.Identifier?.Split('/', 2)[0] ?? "";
        if (Access.Check(caller, ApiAction.AcknowledgeAlert, institution, missing) is { } refused) return refused;
        // The update itself refuses an alert acknowledged meanwhile: two admins acknowledging at once get one 200 and one 409.
        if (!await registry.RunAsync(store => store.AcknowledgeAlertAsync(id, caller.Email, ct), ct))
            return ApiErrors.Conflict.Problem($"alert {id} is already acknowledged");
        var done = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == id, ct);
        return Results.Ok(View(done));
    }

    private static AlertView View(Bus.Registry.Model.Alert a) => new(a.Id, a.Kind, a.Identifier, a.Message, a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedBy);

    private static async Task<IResult> List(HttpContext http, RegistryDatabase registry, IOptions<ApiOptions> options, bool? all, int? limit, string? after, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        if (Access.CheckAtAll(caller, ApiAction.ReadAlerts) is { } refused) return refused;
        if (Paging.LimitError(limit, options.Value.MaxPageSize) is { } limitError) return ApiErrors.InvalidRequest.Problem(limitError);
        if (!Cursor.TryDecode(after, out var cursor) || (cursor is { } c && !Guid.TryParse(c.Id, out _)))
            return ApiErrors.InvalidCursor.Problem("'after' must be the 'next' value of the previous page");
        var take = limit ?? Paging.DefaultLimit;
        await using var db = registry.CreateDbContext();
        var query = db.Alerts.AsNoTracking();
        if (all != true) query = query.Where(a => a.AcknowledgedAt == null);
        if (ApiPolicy.ScopeFor(caller.Role, ApiAction.ReadAlerts) != Scope.AnyInstitution)
        {
            var prefix = caller.Institution + "/";
            query = query.Where(a => a.Identifier != null && a.Identifier.StartsWith(prefix));
        }
        if (cursor is { } from)
        {
            var lastId = Guid.Parse(from.Id);
            query = query.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.CreatedAt, a.Id), ValueTuple.Create(from.At, lastId)));
        }
        var rows = await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(take + 1).ToListAsync(ct);
        return Results.Ok(Paging.Make(rows, take, a => new Cursor(a.CreatedAt, a.Id.ToString()), View));
    }
}
