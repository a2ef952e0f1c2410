using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.Limits;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Contracts.Deletion;
using Bus.Deletion.Data;
using Bus.Deletion.StateMachines;
using Bus.Platform.Options;
using Bus.Registry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>
/// /api/v1/deletions: two-person deletion through the deletion saga's own requests (the messages
/// busctl delete sends). The requester and the approver are the authenticated callers, never a
/// field of the body; the saga still checks roles, institution and self-approval itself.
/// </summary>
public static class DeletionEndpoints
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    public sealed record DeletionRequest(string? Identifier, string? Reason);
    public sealed record DecisionRequest(string? Comment);
    public sealed record DeletionAnswer(Guid RequestId, string Identifier, string State);

    public sealed record DeletionView(
        Guid RequestId, string State, string Identifier, string Institution, bool IsFile, string RequestedBy, string Reason,
        DateTimeOffset RequestedAt, DateTimeOffset? ExpiresAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? Comment,
        DateTimeOffset? CompletedAt, int CopiesRemoved, string? RefusalCode, string? RefusalReason, IReadOnlyList<string> Refusals, string? FaultReason);

    public static RouteGroupBuilder MapDeletions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/deletions").WithTags("Deletions");
        ApiError[] decisionProblems = [ApiErrors.InvalidRequest, ApiErrors.Forbidden, ApiErrors.NotFound, ApiErrors.DeletionRefused, ApiErrors.ServiceUnavailable];
        group.MapPost("", Request).WithName("RequestDeletion").WithSummary("Ask to delete an object or file; a second admin approves")
            .JsonBody<DeletionRequest>(required: true, "{\"identifier\": \"<institution>/<bag>[/data/...]\", \"reason\": ...}")
            .Produces<DeletionAnswer>(StatusCodes.Status202Accepted).Problems(decisionProblems);
        group.MapGet("/{id:guid}", Get).WithName("GetDeletion").WithSummary("One deletion request: state, people, refusal")
            .Produces<DeletionView>().Problems(ApiErrors.Forbidden, ApiErrors.NotFound);
        group.MapPost("/{id:guid}/approve", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
                DecideAsync(h, p, b, id, ApiAction.DecideDeletion, (by, c) => new ApproveDeletion { RequestId = id, By = by, Comment = c }, ct))
            .WithName("ApproveDeletion").WithSummary("Approve a pending request (an admin other than the requester)")
            .JsonBody<DecisionRequest>(required: false, "optional {\"comment\": ...}").Produces<DeletionAnswer>().Problems(decisionProblems);
        group.MapPost("/{id:guid}/reject", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
                DecideAsync(h, p, b, id, ApiAction.DecideDeletion, (by, c) => new RejectDeletion { RequestId = id, By = by, Comment = c }, ct))
            .WithName("RejectDeletion").WithSummary("Reject a pending request")
            .JsonBody<DecisionRequest>(required: false, "optional {\"comment\": ...}").Produces<DeletionAnswer>().Problems(decisionProblems);
        group.MapPost("/{id:guid}/cancel", (HttpContext h, IDbContextFactory<DeletionDbContext> p, IBus b, Guid id, CancellationToken ct) =>
                DecideAsync(h, p, b, id, ApiAction.CancelDeletion, (by, c) => new CancelDeletion { RequestId = id, By = by, Comment = c }, ct))
            .WithName("CancelDeletion").WithSummary("Withdraw a pending request")
            .JsonBody<DecisionRequest>(required: false, "optional {\"comment\": ...}").Produces<DeletionAnswer>().Problems(decisionProblems);
        return group;
    }

    private static async Task<IResult> Request(HttpContext http, IBus bus, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var (body, invalid) = await JsonBody.ReadAsync<DeletionRequest>(http, "{\"identifier\": \"<institution>/<bag>[/data/...]\", \"reason\": \"...\"}", optional: false, ct);
        if (invalid is not null) return invalid;
        var identifier = body?.Identifier?.Trim() ?? "";
        if (!Identifiers.TryParse(identifier, out var parsed, out var error)) return ApiErrors.InvalidRequest.Problem(error);
        if (Access.Check(caller, ApiAction.RequestDeletion, parsed.Institution, $"no object or file '{identifier}'") is { } refused) return refused;
        var reason = body?.Reason?.Trim() ?? "";
        if (reason.Length == 0) return ApiErrors.InvalidRequest.Problem("'reason' is required: it is kept in the PREMIS deletion event");
        if (reason.Length > 2000) return ApiErrors.InvalidRequest.Problem($"'reason' is {reason.Length} characters, over 2000");
        var message = new RequestDeletion { RequestId = NewId.NextGuid(), Identifier = identifier, RequestedBy = caller.Email, Reason = reason };
        return await AskAsync(bus, message, message.RequestId, created: true, ct);
    }

    private static async Task<IResult> Get(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var row = await LoadAsync(contexts, id, ct);
        var missing = $"no deletion request {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadDeletion, row.Institution, missing) is { } refused) return refused;
        return Results.Ok(View(row));
    }

    private static async Task<IResult> DecideAsync<T>(HttpContext http, IDbContextFactory<DeletionDbContext> contexts, IBus bus, Guid id, ApiAction action,
        Func<string, string?, T> make, CancellationToken ct) where T : class
    {
        var caller = ApiCaller.From(http.User);
        var (body, invalid) = await JsonBody.ReadAsync<DecisionRequest>(http, "{\"comment\": \"...\"}", optional: true, ct);
        if (invalid is not null) return invalid;
        var row = await LoadAsync(contexts, id, ct);
        var missing = $"no deletion request {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, action, row.Institution, missing) is { } refused) return refused;
        return await AskAsync(bus, make(caller.Email, body?.Comment), id, created: false, ct);
    }

    /// <summary>Asks the deletion saga and maps its answer: accepted → 202/200, refused → 409 with its code (unknown → 404).</summary>
    private static async Task<IResult> AskAsync<T>(IBus bus, T message, Guid requestId, bool created, CancellationToken ct) where T : class
    {
        var client = bus.CreateRequestClient<T>(RequestTimeout.After(s: (int)AnswerTimeout.TotalSeconds));
        try
        {
            var response = await client.GetResponse<DeletionAccepted, DeletionRefused>(message, ct);
            if (response.Is(out Response<DeletionAccepted>? accepted))
            {
                var answer = new DeletionAnswer(accepted.Message.RequestId, accepted.Message.Identifier, accepted.Message.State);
                return created ? Results.Accepted($"/api/v1/deletions/{answer.RequestId}", answer) : Results.Ok(answer);
            }
            if (!response.Is(out Response<DeletionRefused>? refused)) throw new InvalidOperationException("unexpected response type");
            var r = refused.Message;
            var extensions = new Dictionary<string, object?> { ["code"] = r.Code, ["requestId"] = r.RequestId };
            return r.Code is DeletionRefusalCodes.UnknownIdentifier or DeletionRefusalCodes.UnknownRequest
                ? ApiErrors.NotFound.Problem(r.Reason, extensions)
                : ApiErrors.DeletionRefused.Problem(r.Reason, extensions);
        }
        catch (RequestTimeoutException)
        {
            return ApiErrors.ServiceUnavailable.Problem($"no deletion service answered deletion {requestId} within {AnswerTimeout.TotalSeconds} s");
        }
    }

    private static async Task<DeletionState?> LoadAsync(IDbContextFactory<DeletionDbContext> contexts, Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Requests.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == id, ct);
    }

    private static DeletionView View(DeletionState r) => new(
        r.CorrelationId, r.CurrentState, r.Identifier, r.Institution, r.IsFile, r.RequestedBy, r.Reason, r.RequestedAt, r.ExpiresAt,
        r.DecidedBy, r.DecidedAt, r.DecisionComment, r.CompletedAt, r.CopiesRemoved, r.RefusalCode, r.RefusalReason,
        r.RefusalLog.Split('\n', StringSplitOptions.RemoveEmptyEntries), r.FaultReason);
}
