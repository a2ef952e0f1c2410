using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.Limits;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.Data;
using Bus.Registry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>
/// POST /api/v1/fixity-checks: queue a check of every active copy of an object or file, as
/// <c>busctl fixity check</c> does (the ledger first, then one <see cref="CheckFixity"/> per copy started).
/// </summary>
public static class FixityCheckEndpoints
{
    public sealed record FixityCheckRequest(string? Identifier);
    public sealed record CheckView(Guid CheckId, string FileIdentifier, string Bucket, bool AlreadyInFlight);
    public sealed record FixityChecksStarted(string Identifier, IReadOnlyList<CheckView> Checks);
    public sealed record CheckResult(Guid CheckId, string FileIdentifier, string Bucket, string RequestedBy, DateTimeOffset RequestedAt,
        string? Outcome, string? Detail, DateTimeOffset? CompletedAt);

    /// <summary>Whoever may read the file's object may read its checks.</summary>
    private static async Task<IResult> Get(HttpContext http, CheckLedger ledger, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var row = (await ledger.GetAsync([id], ct)).SingleOrDefault();
        var missing = $"no fixity check {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadObject, row.FileIdentifier.Split('/', 2)[0], missing) is { } refused) return refused;
        return Results.Ok(new CheckResult(row.CheckId, row.FileIdentifier, row.Bucket, row.RequestedBy, row.RequestedAt, row.Outcome, row.Detail, row.CompletedAt));
    }

    public static RouteGroupBuilder MapFixityChecks(this RouteGroupBuilder api)
    {
        api.MapPost("/fixity-checks", Start).WithTags("Fixity").WithName("StartFixityCheck")
            .WithSummary("Check every active copy of an object or file now (institutional admins)")
            .JsonBody<FixityCheckRequest>(required: true, "{\"identifier\": \"<institution>/<bag>[/data/...]\"}")
            .Produces<FixityChecksStarted>(StatusCodes.Status202Accepted)
            .Problems(ApiErrors.InvalidRequest, ApiErrors.Forbidden, ApiErrors.NotFound);
        api.MapGet("/fixity-checks/{id:guid}", Get).WithTags("Fixity").WithName("GetFixityCheck")
            .WithSummary("One check: its copy and, once done, its outcome (intact, repaired, lost, failed)")
            .Produces<CheckResult>().Problems(ApiErrors.NotFound);
        return api;
    }

    private static async Task<IResult> Start(HttpContext http, RegistryFixityStore copiesStore, CheckLedger ledger, IOptions<FixityOptions> fixity,
        IBus bus, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var (body, invalid) = await JsonBody.ReadAsync<FixityCheckRequest>(http, "{\"identifier\": \"<institution>/<bag>[/data/...]\"}", optional: false, ct);
        if (invalid is not null) return invalid;
        var identifier = body?.Identifier?.Trim() ?? "";
        if (!Identifiers.TryParse(identifier, out var parsed, out var error)) return ApiErrors.InvalidRequest.Problem(error);
        var missing = $"no object or file '{identifier}' with active copies";
        if (Access.Check(caller, ApiAction.StartFixityCheck, parsed.Institution, missing) is { } refused) return refused;
        var copies = await copiesStore.CopiesOfAsync(identifier, ct);
        if (copies.Count == 0) return ApiErrors.NotFound.Problem(missing);
        var now = DateTimeOffset.UtcNow;
        var started = await ledger.StartAsync(copies, caller.Email, now, fixity.Value.AbandonAfter, ct);
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
        foreach (var (copy, checkId) in started)
            await endpoint.Send(new CheckFixity(checkId, copy.StorageRecordId, caller.Email, now), ct);
        var inFlight = await ledger.InFlightAsync(copies.Where(c => started.All(s => s.Copy.StorageRecordId != c.StorageRecordId)).Select(c => c.StorageRecordId).ToList(), ct);
        var checks = started.Select(s => new CheckView(s.CheckId, s.Copy.FileIdentifier, s.Copy.Bucket, false))
            .Concat(inFlight.Select(r => new CheckView(r.CheckId, r.FileIdentifier, r.Bucket, true))).ToList();
        return Results.Accepted((string?)null, new FixityChecksStarted(identifier, checks));
    }
}
