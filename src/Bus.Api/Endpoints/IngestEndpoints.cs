using Bus.BagIt;
using System.Text.Json;
using Amazon.S3;
using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.Limits;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Api.Uploads;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.StateMachines;
using Bus.Platform.Options;
using Bus.Platform.Storage;
using Bus.Registry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>
/// /api/v1/ingests: submit a tar (streamed body, or a key already in the receiving bucket), read,
/// list and cancel. Submission publishes the same <see cref="SubmitIngest"/> busctl does, with the
/// caller's institution and email: nothing in the request names the institution.
/// </summary>
public static class IngestEndpoints
{
    private static readonly IReadOnlyList<string> Ended = IngestStateMachine.EndStates;
    private static readonly IReadOnlyList<string> States = IngestStateMachine.StateNames;

    public sealed record SubmitKeyRequest(string? Key, string? StorageOption);
    public sealed record CancelRequest(string? Reason);
    /// <summary>SubmittedAt is the submission's time as the ingest records it (<see cref="IngestView.LastSubmittedAt"/>): a client waits for it to know its submit was handled.</summary>
    public sealed record Submitted(Guid IngestId, string Bucket, string Key, string ETag, long Size, DateTimeOffset SubmittedAt);

    public sealed record IngestView(
        Guid IngestId, string State, string Institution, string Key, long Size, string SubmittedBy, string? ObjectIdentifier,
        string? CurrentStep, string? LastError, IReadOnlyList<BagIssue>? Rejections, int FileCount, long Bytes,
        DateTimeOffset ReceivedAt, DateTimeOffset? FinishedAt, Guid? Supersedes, Guid? SupersededBy,
        IReadOnlyList<IngestStepTiming> Steps, long ProgressDone, long ProgressTotal, DateTimeOffset? LastSubmittedAt);

    // No .Accepts(...) on these routes: route matching would answer a body of another content type
    // (curl's --data-binary sends a form type) with a bare 415 outside the error catalogue. Handlers
    // read the body themselves and answer invalid-request.
    public static RouteGroupBuilder MapIngests(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ingests").WithTags("Ingests");
        group.MapPost("", Submit).WithName("SubmitIngest")
            .WithSummary("Submit a bag: the tar as the body with ?name=<bag>.tar, or JSON {\"key\": ...} for a tar already in your receiving prefix")
            .WithMetadata(new OwnBodyLimitMetadata())
            .TarOrJsonBody<SubmitKeyRequest>("the bag tar (with ?name=<bag>.tar; streamed to S3, up to Bus:Api:MaxUploadBytes), or JSON {\"key\": ...}")
            .Produces<Submitted>(StatusCodes.Status202Accepted)
            .Problems(ApiErrors.InvalidRequest, ApiErrors.UploadIncomplete, ApiErrors.Forbidden, ApiErrors.UnknownUpload, ApiErrors.UploadTooLarge,
                ApiErrors.BodyTooLarge, ApiErrors.StorageFailed, ApiErrors.UploadsBusy);
        group.MapGet("", List).WithName("ListIngests").WithSummary("Ingests you may see, newest first (paged)").Produces<Page<IngestView>>()
            .Problems(ApiErrors.InvalidRequest, ApiErrors.InvalidCursor, ApiErrors.Forbidden);
        group.MapGet("/{id:guid}", Get).WithName("GetIngest").WithSummary("One ingest: state, step, errors, rejections, object").Produces<IngestView>()
            .Problems(ApiErrors.Forbidden, ApiErrors.NotFound);
        group.MapPost("/{id:guid}/cancel", Cancel).WithName("CancelIngest").WithSummary("Cancel an ingest that has not ended")
            .JsonBody<CancelRequest>(required: false, "optional {\"reason\": ...}")
            .Produces<IngestView>(StatusCodes.Status202Accepted)
            .Problems(ApiErrors.InvalidRequest, ApiErrors.Forbidden, ApiErrors.NotFound, ApiErrors.Conflict);
        return group;
    }

    private static async Task<IResult> Submit(HttpContext http, IAmazonS3 s3, IOptions<StorageOptions> storage, IOptions<ApiOptions> options, IBus bus,
        UploadSlots uploads, string? name, string? storageOption, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var bucket = storage.Value.ReceivingBucket;
        string key;
        UploadResult upload;
        if (name is not null)
        {
            // The body is the tar: it goes to the caller's own receiving prefix.
            if (Access.Check(caller, ApiAction.SubmitIngest, caller.Institution, "") is { } refused) return refused;
            if (NameError(name) is { } nameError) return ApiErrors.InvalidRequest.Problem(nameError);
            key = $"{caller.Institution}/{name}";
            // Kestrel stops a chunked body when it passes the limit; a declared one is refused before reading.
            if (RequestLimits.Apply(http, options.Value.MaxUploadBytes, ApiErrors.UploadTooLarge) is { } tooLarge) return tooLarge;
            using var slot = uploads.TryTake();
            if (slot is null)
            {
                http.Response.Headers.RetryAfter = "10";
                return ApiErrors.UploadsBusy.Problem($"{options.Value.MaxConcurrentUploads} uploads are already in progress (Bus:Api:MaxConcurrentUploads); retry later");
            }
            try
            {
                upload = await StreamingUpload.UploadAsync(s3, bucket, key, http.Request.Body, http.Request.ContentLength,
                    options.Value.UploadPartBytes, options.Value.MaxUploadBytes, ct);
            }
            catch (UploadTooLargeException e) { return ApiErrors.UploadTooLarge.Problem(e.Message); }
            catch (BadHttpRequestException e) when (RequestLimits.IsTooLarge(e))
            {
                return ApiErrors.UploadTooLarge.Problem($"the body passed the {options.Value.MaxUploadBytes} bytes the API accepts (Bus:Api:MaxUploadBytes); nothing was kept");
            }
            catch (S3LimitException e) { return ApiErrors.InvalidRequest.Problem(e.Message); }
            catch (ArgumentException e) { return ApiErrors.InvalidRequest.Problem(e.Message); }
            catch (BadHttpRequestException e) { return ApiErrors.UploadIncomplete.Problem($"the body ended before it was complete: {e.Message}"); }
            catch (IOException e) when (!ct.IsCancellationRequested) { return ApiErrors.UploadIncomplete.Problem($"the body could not be read: {e.Message}"); }
            catch (AmazonS3Exception e) { return ApiErrors.StorageFailed.Problem($"s3://{bucket}/{key}: {e.Message}"); }
        }
        else
        {
            if (RequestLimits.Apply(http, options.Value.MaxJsonBodyBytes, ApiErrors.BodyTooLarge) is { } tooLarge) return tooLarge;
            var (body, invalid) = await JsonBody.ReadAsync<SubmitKeyRequest>(http,
                "{\"key\": \"<institution>/<bag>.tar\"} (or send the tar as the body with ?name=<bag>.tar)", optional: false, ct);
            if (invalid is not null) return invalid;
            key = body?.Key?.Trim() ?? "";
            if (key.Length == 0) return ApiErrors.InvalidRequest.Problem("'key' is required: the tar's key in the receiving bucket, under '<your institution>/'");
            var keyInstitution = key.Split('/', 2)[0];
            var unknown = $"no upload '{key}' in your institution's receiving prefix";
            if (Access.Check(caller, ApiAction.SubmitIngest, keyInstitution, unknown) is { } refused) return refused;
            if (!key.StartsWith(caller.Institution + "/", StringComparison.Ordinal) || NameError(key[(caller.Institution.Length + 1)..]) is not null)
                return ApiErrors.UnknownUpload.Problem(unknown);
            storageOption ??= body?.StorageOption;
            try
            {
                var head = await s3.GetObjectMetadataAsync(bucket, key, ct);
                upload = new UploadResult(head.ETag, head.ContentLength);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound) { return ApiErrors.UnknownUpload.Problem(unknown); }
        }

        // Whole microseconds, as PostgreSQL keeps them (busctl does the same).
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var submit = new SubmitIngest(caller.Institution, bucket, key, upload.ETag, upload.Size, string.IsNullOrWhiteSpace(storageOption) ? null : storageOption.Trim(),
            caller.Email, now);
        await bus.Publish(submit, ct);
        return Results.Accepted($"/api/v1/ingests/{submit.IngestId}",
            new Submitted(submit.IngestId, bucket, key, IngestIds.NormalizeETag(upload.ETag), upload.Size, now));
    }

    /// <summary>Longest upload name: one file name on common file systems.</summary>
    internal const int MaxNameBytes = 255;

    /// <summary>
    /// A bag tar's file name: the bag name (as the registry's identifiers allow it, so the ingest
    /// cannot refuse it later for its name) and ".tar", one path segment.
    /// </summary>
    internal static string? NameError(string name)
    {
        if (name.Length == 0) return "name is empty: pass ?name=<bag>.tar";
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes) return $"name is over {MaxNameBytes} bytes (got {System.Text.Encoding.UTF8.GetByteCount(name)})";
        if (name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl))
            return $"name must be one file name without '/', '\\' or control characters (got '{Printable(name)}')";
        if (!name.EndsWith(".tar", StringComparison.Ordinal) || name.Length <= 4) return $"name must be '<bag>.tar' (got '{Printable(name)}')";
        var bag = name[..^4];
        if (!Identifiers.TryParse(Identifiers.ForObject("x.test", bag), out _, out _))
            return $"bag name '{Printable(bag)}' must start with a letter or digit and contain only letters, digits, '.', '_' or '-'";
        return null;
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static async Task<IResult> Get(HttpContext http, IDbContextFactory<IngestDbContext> contexts, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<IngestState>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id, ct);
        var missing = $"no ingest {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadIngest, row.Institution, missing) is { } refused) return refused;
        return Results.Ok(View(row));
    }

    private static async Task<IResult> List(HttpContext http, IDbContextFactory<IngestDbContext> contexts, IOptions<ApiOptions> options,
        string? state, int? limit, string? after, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        if (Access.CheckAtAll(caller, ApiAction.ReadIngest) is { } refused) return refused;
        if (Paging.LimitError(limit, options.Value.MaxPageSize) is { } limitError) return ApiErrors.InvalidRequest.Problem(limitError);
        if (!Cursor.TryDecode(after, out var cursor) || (cursor is { } c && !Guid.TryParse(c.Id, out _)))
            return ApiErrors.InvalidCursor.Problem("'after' must be the 'next' value of the previous page");
        string? match = null;
        if (state is not null && (match = States.FirstOrDefault(s => s.Equals(state, StringComparison.OrdinalIgnoreCase))) is null)
            return ApiErrors.InvalidRequest.Problem($"unknown state '{state}': expected one of {string.Join(", ", States)}");
        var take = limit ?? Paging.DefaultLimit;

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<IngestState>().AsNoTracking();
        if (ApiPolicy.ScopeFor(caller.Role, ApiAction.ReadIngest) != Scope.AnyInstitution) query = query.Where(s => s.Institution == caller.Institution);
        if (match is not null) query = query.Where(s => s.CurrentState == match);
        if (cursor is { } from)
        {
            var lastId = Guid.Parse(from.Id);
            query = query.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.ReceivedAt, s.CorrelationId), ValueTuple.Create(from.At, lastId)));
        }
        var rows = await query.OrderByDescending(s => s.ReceivedAt).ThenByDescending(s => s.CorrelationId).Take(take + 1).ToListAsync(ct);
        return Results.Ok(Paging.Make(rows, take, r => new Cursor(r.ReceivedAt, r.CorrelationId.ToString()), View));
    }

    private static async Task<IResult> Cancel(HttpContext http, IDbContextFactory<IngestDbContext> contexts, IBus bus, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var (body, invalid) = await JsonBody.ReadAsync<CancelRequest>(http, "{\"reason\": \"...\"}", optional: true, ct);
        if (invalid is not null) return invalid;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<IngestState>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id, ct);
        var missing = $"no ingest {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.CancelIngest, row.Institution, missing) is { } refused) return refused;
        if (Ended.Contains(row.CurrentState)) return ApiErrors.Conflict.Problem($"ingest {id} already ended: {row.CurrentState}");
        await bus.Publish(new CancelIngest(id, caller.Email, body?.Reason), ct);
        return Results.Accepted($"/api/v1/ingests/{id}", View(row));
    }

    private static IngestView View(IngestState s) => new(
        s.CorrelationId, s.CurrentState, s.Institution, s.Key, s.Size, s.SubmittedBy, s.ObjectIdentifier, s.CurrentStep, s.LastError,
        ReadRejections(s.Rejections), s.FileCount, s.Bytes, s.ReceivedAt, s.FinishedAt,
        s.Supersedes, s.SupersededBy, s.StepTimings(), s.ProgressDone, s.ProgressTotal, s.LastSubmittedAt);

    /// <summary>
    /// The saga keeps its reasons as stored JSON; the API answers them typed, so they take the API's
    /// camelCase names and a schema in the OpenAPI document like every other field.
    /// </summary>
    internal static IReadOnlyList<BagIssue>? ReadRejections(string? stored) =>
        stored is null ? null : JsonSerializer.Deserialize<List<BagIssue>>(stored, StoredJson);

    private static readonly JsonSerializerOptions StoredJson = new() { PropertyNameCaseInsensitive = true };
}
