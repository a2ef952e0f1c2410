using System.Text.Json;
using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Contracts.Restore;
using Bus.Registry;
using Bus.Restore;
using Bus.Restore.Data;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>
/// /api/v1/restores: request the restore of an object (a BagIt tar) or of one file into the restore bucket, and
/// read restores (state; bucket and key of the verified result, or the reason it failed). Depositors and
/// institutional admins of the object's institution; anyone else gets 404 for another institution's item.
/// </summary>
public static class RestoreRequestEndpoints
{
    public sealed record RestoreRequestBody(string? Identifier, string? FileIdentifier);
    public sealed record RestoreAccepted(Guid RestoreId, string Kind, string Identifier);
    public sealed record RestoreDetails(
        Guid RestoreId, string Kind, string Identifier, string Institution, string State, string RequestedBy, DateTimeOffset RequestedAt,
        string? Bucket, string? Key, long? Size, int? Files, int ColdPending, string? Reason, DateTimeOffset? FinishedAt, bool Verified);

    public static RouteGroupBuilder MapRestores(this RouteGroupBuilder api)
    {
        api.MapPost("/restores", Request).WithTags("Restore").WithName("RequestRestore")
            .WithSummary("Restore an object ({identifier}) as a BagIt tar or one file ({fileIdentifier}) into the restore bucket")
            .JsonBody<RestoreRequestBody>(required: true, "{\"identifier\": \"<institution>/<bag>\"} or {\"fileIdentifier\": \"<institution>/<bag>/<path>\"}")
            .Produces<RestoreAccepted>(StatusCodes.Status202Accepted)
            .Problems(ApiErrors.InvalidRequest, ApiErrors.Forbidden, ApiErrors.NotFound, ApiErrors.BodyTooLarge);
        api.MapGet("/restores/{id:guid}", Get).WithTags("Restore").WithName("GetRestore")
            .WithSummary("One restore: its state, and the bucket and key of the verified result or the reason it failed")
            .Produces<RestoreDetails>().Problems(ApiErrors.NotFound);
        api.MapGet("/restores", List).WithTags("Restore").WithName("ListRestores").WithSummary("Restores, newest first (paged)")
            .Produces<Page<RestoreDetails>>().Problems(ApiErrors.InvalidRequest, ApiErrors.InvalidCursor, ApiErrors.Forbidden);
        return api;
    }

    private static async Task<IResult> Request(HttpContext http, RestoreRegistry registry, IBus bus, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        RestoreRequestBody? body;
        try { body = await http.Request.ReadFromJsonAsync<RestoreRequestBody>(ct); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return ApiErrors.InvalidRequest.Problem("send JSON {\"identifier\": \"<institution>/<bag>\"} or {\"fileIdentifier\": \"<institution>/<bag>/<path>\"}");
        }
        var (identifier, isFile) = (body?.Identifier?.Trim(), body?.FileIdentifier?.Trim()) switch
        {
            ({ Length: > 0 } o, null or "") => (o, false),
            (null or "", { Length: > 0 } f) => (f, true),
            _ => ("", false),
        };
        if (identifier.Length == 0) return ApiErrors.InvalidRequest.Problem("give exactly one of 'identifier' (an object) or 'fileIdentifier' (a file)");
        if (!Identifiers.TryParse(identifier, out var parsed, out var error)) return ApiErrors.InvalidRequest.Problem(error);
        if (parsed.IsFile != isFile)
            return ApiErrors.InvalidRequest.Problem(isFile ? $"'{identifier}' is an object identifier: send it as 'identifier'" : $"'{identifier}' is a file identifier: send it as 'fileIdentifier'");
        var missing = $"no active {(isFile ? "file" : "object")} '{identifier}'";
        if (Access.Check(caller, ApiAction.RequestRestore, parsed.Institution, missing) is { } refused) return refused;
        var obj = await registry.FindObjectAsync(parsed.ObjectIdentifier, ct);
        if (obj is null || (isFile && (await registry.FilesAsync(obj, identifier, ct)).Count == 0)) return ApiErrors.NotFound.Problem(missing);

        var restoreId = NewId.NextGuid();
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{RestoreEndpoints.Saga}"));
        var now = DateTimeOffset.UtcNow;
        if (isFile) await endpoint.Send(new RestoreFile(restoreId, identifier, caller.Email, now), ct);
        else await endpoint.Send(new RestoreObject(restoreId, identifier, caller.Email, now), ct);
        return Results.Accepted($"{ApiServices.Prefix}/restores/{restoreId}", new RestoreAccepted(restoreId, isFile ? "file" : "object", identifier));
    }

    private static async Task<IResult> Get(HttpContext http, RestoreRecords records, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var missing = $"no restore {id}";
        var view = await records.FindAsync(id, ct);
        if (view is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadRestore, view.Institution, missing) is { } refused) return refused;
        return Results.Ok(Details(view));
    }

    private static async Task<IResult> List(HttpContext http, RestoreRecords records, IOptions<ApiOptions> options, int? limit, string? after, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        if (Access.CheckAtAll(caller, ApiAction.ReadRestore) is { } refused) return refused;
        if (Paging.LimitError(limit, options.Value.MaxPageSize) is { } limitError) return ApiErrors.InvalidRequest.Problem(limitError);
        if (!Cursor.TryDecode(after, out var cursor) || (cursor is { } c && !Guid.TryParse(c.Id, out _)))
            return ApiErrors.InvalidCursor.Problem("'after' must be the 'next' value of the previous page");
        var take = limit ?? Paging.DefaultLimit;
        var institution = ApiPolicy.ScopeFor(caller.Role, ApiAction.ReadRestore) == Scope.AnyInstitution ? null : caller.Institution;
        var rows = await records.ListAsync(institution, null, take + 1, cursor is { } from ? (from.At, Guid.Parse(from.Id)) : null, ct);
        return Results.Ok(Paging.Make(rows, take, r => new Cursor(r.RequestedAt, r.RestoreId.ToString()), Details));
    }

    private static RestoreDetails Details(RestoreView v) => new(v.RestoreId, v.Kind, v.Identifier, v.Institution, v.State, v.RequestedBy, v.RequestedAt,
        v.Bucket, v.Key, v.Size, v.Files, v.ColdPending, v.FailureReason, v.FinishedAt, v.Succeeded);
}
