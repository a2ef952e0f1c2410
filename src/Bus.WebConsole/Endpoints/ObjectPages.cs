using Bus.Api.Authorization;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Queries;
using Bus.Registry.Store;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Endpoints;

/// <summary>/objects: search by identifier; /objects/{institution}/{bag}: files, checksums, copies per storage target, PREMIS events.</summary>
public static class ObjectPages
{
    private static readonly Keyset<IntellectualObject, long> NewestFirst = new(
        o => (o.UpdatedAt, o.Id),
        q => q.OrderByDescending(o => o.UpdatedAt).ThenByDescending(o => o.Id),
        q => q.OrderBy(o => o.UpdatedAt).ThenBy(o => o.Id),
        (q, at, id) => q.Where(o => EF.Functions.LessThan(ValueTuple.Create(o.UpdatedAt, o.Id), ValueTuple.Create(at, id))),
        (q, at, id) => q.Where(o => EF.Functions.GreaterThan(ValueTuple.Create(o.UpdatedAt, o.Id), ValueTuple.Create(at, id))));

    public static void MapConsoleObjects(this IEndpointRouteBuilder app)
    {
        app.MapGet("/objects", Search);
        app.MapGet("/objects/{institution}/{bag}", Show);
    }

    private static async Task<IResult> Search(HttpContext http, RegistryDatabase registry, IOptions<ConsoleOptions> console, string? q, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var scope = ConsoleScope.For(caller, ApiAction.ReadObject);
        await using var db = registry.CreateDbContext();
        var query = db.Objects.AsNoTracking();
        if (scope.InstitutionFilter is { } own) query = query.Where(o => o.Institution == own);
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(o => o.Identifier.Contains(q.Trim()));
        var (rows, links) = await ConsolePaging.ReadAsync(http.Request, query, console.Value.PageSize, NewestFirst, ct);
        return await ConsolePages.RenderAsync<ObjectsPage>(http, new() { ["Query"] = q, ["Rows"] = rows, ["Links"] = links });
    }

    private static async Task<IResult> Show(HttpContext http, RegistryDatabase registry, string institution, string bag, string? notice, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var identifier = Identifiers.ForObject(institution, bag);
        var missing = $"No object '{identifier}'.";
        if (!Identifiers.TryParse(identifier, out var parsed, out _) || parsed.IsFile) return await PageResults.NotFound(http, missing);
        // Decided before the registry is read, as the API does: another institution's object is not even looked up.
        if (ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.ReadObject, parsed.Institution) != Decision.Allow)
            return await PageResults.NotFound(http, missing);
        await using var db = registry.CreateDbContext();
        var detail = await ObjectDetails.LoadAsync(db, identifier, ct);
        if (detail is null) return await PageResults.NotFound(http, missing);
        return await ConsolePages.RenderAsync<ObjectPage>(http, new()
        {
            ["Detail"] = detail,
            ["MayCheck"] = ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.StartFixityCheck, parsed.Institution) == Decision.Allow,
            ["MayRestore"] = ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.RequestRestore, parsed.Institution) == Decision.Allow,
            ["Notice"] = notice switch
            {
                "fixity" => "Fixity checks queued for every active copy: their outcomes appear under each copy.",
                "restore" => "Restore requested: the restored bag appears in your institution's restore bucket.",
                _ => null,
            },
        });
    }
}
