using Bus.Api.Authorization;
using Bus.Contracts.Fixity;
using Bus.Contracts.Restore;
using Bus.Fixity;
using Bus.Fixity.Data;
using Bus.Registry;
using Bus.Restore;
using Bus.Restore.Data;
using Bus.WebConsole.Rendering;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Endpoints;

/// <summary>
/// The object page's buttons: a fixity check of every active copy, and a restore of the object into
/// the institution's restore bucket. Both send what the API's endpoints send, after the same policy decision.
/// </summary>
public static class ObjectActions
{
    public static void MapConsoleObjectActions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/objects/{institution}/{bag}/fixity-check", FixityCheck);
        app.MapPost("/objects/{institution}/{bag}/restore", Restore);
    }

    private static async Task<IResult> FixityCheck(HttpContext http, RegistryFixityStore copiesStore, CheckLedger ledger, IOptions<FixityOptions> fixity,
        IBus bus, string institution, string bag, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (_, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        var identifier = Identifiers.ForObject(institution, bag);
        if (await DecideAsync(http, caller.Role, caller.Institution, ApiAction.StartFixityCheck, identifier) is { } answer) return answer;
        var copies = await copiesStore.CopiesOfAsync(identifier, ct);
        if (copies.Count == 0) return await PageResults.NotFound(http, $"No object '{identifier}' with active copies.");
        var now = DateTimeOffset.UtcNow;
        var started = await ledger.StartAsync(copies, caller.Email, now, fixity.Value.AbandonAfter, ct);
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
        foreach (var (copy, checkId) in started) await endpoint.Send(new CheckFixity(checkId, copy.StorageRecordId, caller.Email, now), ct);
        return Results.Redirect($"/objects/{identifier}?notice=fixity");
    }

    private static async Task<IResult> Restore(HttpContext http, RestoreRegistry registry, IBus bus, string institution, string bag, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (_, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        var identifier = Identifiers.ForObject(institution, bag);
        if (await DecideAsync(http, caller.Role, caller.Institution, ApiAction.RequestRestore, identifier) is { } answer) return answer;
        if (await registry.FindObjectAsync(identifier, ct) is null) return await PageResults.NotFound(http, $"No active object '{identifier}'.");
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{RestoreEndpoints.Saga}"));
        await endpoint.Send(new RestoreObject(NewId.NextGuid(), identifier, caller.Email, DateTimeOffset.UtcNow), ct);
        return Results.Redirect($"/objects/{identifier}?notice=restore");
    }

    private static async Task<IResult?> DecideAsync(HttpContext http, string role, string institution, ApiAction action, string identifier)
    {
        if (!Identifiers.TryParse(identifier, out var parsed, out _) || parsed.IsFile) return await PageResults.NotFound(http, $"No object '{identifier}'.");
        return ApiPolicy.Decide(role, institution, action, parsed.Institution) switch
        {
            Decision.Allow => null,
            Decision.Forbidden => await PageResults.Forbidden(http, $"Your role ({role}) may not do this to objects."),
            _ => await PageResults.NotFound(http, $"No object '{identifier}'."),
        };
    }
}
