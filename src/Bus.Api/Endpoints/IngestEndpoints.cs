using Bus.BagIt;
using System.Text.Json;
using Amazon.S3;
using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.Problems;
using Bus.Api.Uploads;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.StateMachines;
using Bus.Platform.Options;
using Bus.Platform.Storage;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
    private static readonly string[] Ended = ["Completed", "Rejected", "Failed", "Cancelled"];
    private static readonly string[] States =
        ["Received", "WaitingForItem", "Unpacking", "Validating", "Identifying", "Storing", "Verifying", "Recording", "CleaningUp",
         "Completed", "Rejected", "Failed", "Cancelled", "Faulted"];

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
            .Produces<Submitted>(StatusCodes.Status202Accepted);
        group.MapGet("", List).WithName("ListIngests").WithSummary("Ingests you may see, newest first (paged)").Produces<Page<IngestView>>();
        group.MapGet("/{id:guid}", Get).WithName("GetIngest").Produces<IngestView>();
        group.MapPost("/{id:guid}/cancel", Cancel).WithName("CancelIngest").Produces<IngestView>(StatusCodes.Status202Accepted);
        return group;
    }

    private static async Task<IResult> Submit(HttpContext http, IAmazonS3 s3, IOptions<StorageOptions> storage, IOptions<ApiOptions> options, IBus bus,
        string? name, string? storageOption, CancellationToken ct)
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
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            try
            {
                upload = await StreamingUpload.UploadAsync(s3, bucket, key, http.Request.Body, http.Request.ContentLength,
                    options.Value.UploadPartBytes, options.Value.MaxUploadBytes, ct);
            }
            catch (UploadTooLargeException e) { return ApiErrors.UploadTooLarge.Problem(e.Message); }
            catch (S3LimitException e) { return ApiErrors.InvalidRequest.Problem(e.Message); }
            catch (ArgumentException e) { return ApiErrors.InvalidRequest.Problem(e.Message); }
            catch (BadHttpRequestException e) { return ApiErrors.UploadIncomplete.Problem($"the body ended before it was complete: {e.Message}"); }
            catch (IOException e) when (!ct.IsCancellationRequested) { return ApiErrors.UploadIncomplete.Problem($"the body could not be read: {e.Message}"); }
            catch (AmazonS3Exception e) { return ApiErrors.StorageFailed.Problem($"s3://{bucket}/{key}: {e.Message}"); }
        }
        else
        {
            SubmitKeyRequest? body;
            try { body = await http.Request.ReadFromJsonAsync<SubmitKeyRequest>(ct); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException)
            {
                return ApiErrors.InvalidRequest.Problem("send the tar as the body with ?name=<bag>.tar, or JSON {\"key\": \"<institution>/<bag>.tar\"}");
            }
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

    /// <summary>A bag tar's file name: the bag name and ".tar", one path segment.</summary>
    internal static string? NameError(string name)
    {
        if (!name.EndsWith(".tar", StringComparison.Ordinal) || name.Length <= 4) return $"name must be '<bag>.tar' (got '{name}')";
        if (name.Contains('/') || name.Contains('\\') || name.Any(char.IsControl) || name.StartsWith('.'))
            return $"name must be one file name without '/', '\\', control characters or a leading '.' (got '{name}')";
        return null;
    }

    private static async Task<IResult> Get(HttpContext http, IOptions<PostgresOptions> postgres, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        await using var db = IngestDbContext.Create(postgres.Value.ConnectionString);
        var row = await db.Set<IngestState>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id, ct);
        var missing = $"no ingest {id}";
        if (row is null) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadIngest, row.Institution, missing) is { } refused) return refused;
        return Results.Ok(View(row));
    }

    private static async Task<IResult> List(HttpContext http, IOptions<PostgresOptions> postgres, IOptions<ApiOptions> options,
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

        await using var db = IngestDbContext.Create(postgres.Value.ConnectionString);
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

    private static async Task<IResult> Cancel(HttpContext http, IOptions<PostgresOptions> postgres, IBus bus, Guid id, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        CancelRequest? body = null;
        if (http.Request.ContentLength > 0 || http.Request.HasJsonContentType())
        {
            try { body = await http.Request.ReadFromJsonAsync<CancelRequest>(ct); }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { return ApiErrors.InvalidRequest.Problem("the body, when sent, is JSON {\"reason\": \"...\"}"); }
        }
        await using var db = IngestDbContext.Create(postgres.Value.ConnectionString);
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
