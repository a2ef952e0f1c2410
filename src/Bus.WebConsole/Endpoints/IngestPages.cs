using System.Text.Json;
using Amazon.S3;
using Bus.Api;
using Bus.Api.Authorization;
using Bus.Api.Endpoints;
using Bus.Api.Limits;
using Bus.Api.Problems;
using Bus.Api.Uploads;
using Bus.BagIt;
using Bus.Contracts.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.StateMachines;
using Bus.Platform.Options;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using MassTransit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Bus.WebConsole.Endpoints;

/// <summary>/ingests: list with filters, one ingest with its step timeline, cancel, and upload of a bag tar.</summary>
public static class IngestPages
{
    private static readonly Dictionary<string, string> Notices = new()
    {
        ["cancel"] = "Cancellation requested: the ingest stops at its next step.",
        ["submitted"] = "Uploaded and submitted: this page follows the ingest until it ends.",
    };

    public static void MapConsoleIngests(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ingests", List);
        app.MapGet("/ingests/new", UploadForm);
        app.MapPost("/ingests/upload", Upload);
        app.MapGet("/ingests/{id:guid}", Detail);
        app.MapPost("/ingests/{id:guid}/cancel", Cancel);
    }

    private static readonly Keyset<IngestState, Guid> NewestFirst = new(
        s => (s.ReceivedAt, s.CorrelationId),
        q => q.OrderByDescending(s => s.ReceivedAt).ThenByDescending(s => s.CorrelationId),
        q => q.OrderBy(s => s.ReceivedAt).ThenBy(s => s.CorrelationId),
        (q, at, id) => q.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.ReceivedAt, s.CorrelationId), ValueTuple.Create(at, id))),
        (q, at, id) => q.Where(s => EF.Functions.GreaterThan(ValueTuple.Create(s.ReceivedAt, s.CorrelationId), ValueTuple.Create(at, id))));

    private static async Task<IResult> List(HttpContext http, IDbContextFactory<IngestDbContext> contexts, IOptions<ConsoleOptions> console,
        string? state, string? name, string? institution, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var scope = ConsoleScope.For(caller, ApiAction.ReadIngest);
        var filter = new IngestFilter(state, name, institution);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<IngestState>().AsNoTracking();
        if (scope.InstitutionFilter is { } own) query = query.Where(s => s.Institution == own);
        else if (!string.IsNullOrWhiteSpace(institution)) query = query.Where(s => s.Institution == institution.Trim());
        if (filter.KnownState is { } known) query = query.Where(s => s.CurrentState == known);
        if (!string.IsNullOrWhiteSpace(name)) query = query.Where(s => s.Key.Contains(name.Trim()));
        var (rows, links) = await ConsolePaging.ReadAsync(http.Request, query, console.Value.PageSize, NewestFirst, ct);
        return await ConsolePages.RenderAsync<IngestsPage>(http, new() { ["Filter"] = filter, ["Rows"] = rows, ["SeesAll"] = scope.SeesAll, ["Links"] = links });
    }

    private static async Task<IResult> Detail(HttpContext http, IDbContextFactory<IngestDbContext> contexts, Guid id, string? notice, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<IngestState>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id, ct);
        // Just uploaded: the saga has not taken the submission yet. The page waits for it (it says
        // nothing about an id that does not exist, so it shows nothing of anyone's).
        if (row is null && notice == "submitted")
            return await ConsolePages.RenderAsync<MessagePage>(http, new()
            {
                ["Title"] = "Submitted", ["Message"] = "Uploaded and submitted: waiting for the ingest to start.", ["Refresh"] = 2,
            });
        if (row is null || ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.ReadIngest, row.Institution) != Decision.Allow)
            return await PageResults.NotFound(http, $"No ingest {id}.");
        return await ConsolePages.RenderAsync<IngestPage>(http, new()
        {
            ["Row"] = row,
            ["Rejections"] = row.Rejections is null ? null : JsonSerializer.Deserialize<List<BagIssue>>(row.Rejections, StoredJson),
            ["MayCancel"] = ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.CancelIngest, row.Institution) == Decision.Allow,
            ["Notice"] = notice is not null ? Notices.GetValueOrDefault(notice) : null,
            ["RefreshSeconds"] = (int)Math.Ceiling(http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.IngestRefresh.TotalSeconds),
        });
    }

    private static async Task<IResult> Cancel(HttpContext http, IDbContextFactory<IngestDbContext> contexts, IBus bus, Guid id, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var (form, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<IngestState>().AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == id, ct);
        var decision = row is null ? Decision.NotFound : ApiPolicy.Decide(caller.Role, caller.Institution, ApiAction.CancelIngest, row.Institution);
        if (decision == Decision.NotFound) return await PageResults.NotFound(http, $"No ingest {id}.");
        if (decision == Decision.Forbidden) return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not cancel ingests.");
        if (IngestFilter.Ended.Contains(row!.CurrentState))
            return await ConsolePages.RenderAsync<MessagePage>(http, new() { ["Title"] = "Already ended", ["Message"] = $"Ingest {id} already ended: {row.CurrentState}." },
                StatusCodes.Status409Conflict);
        var reason = form!["reason"].ToString().Trim();
        await bus.Publish(new CancelIngest(id, caller.Email, reason.Length == 0 ? null : reason[..Math.Min(reason.Length, 500)]), ct);
        return Results.Redirect($"/ingests/{id}?notice=cancel");
    }

    private static async Task<IResult> UploadForm(HttpContext http, IOptions<StorageOptions> storage)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        if (ApiPolicy.ScopeFor(caller.Role, ApiAction.SubmitIngest) == Scope.None)
            return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not submit ingests.");
        return await ConsolePages.RenderAsync<UploadPage>(http, new() { ["StorageOptions"] = storage.Value.EffectiveOptions.Keys.Order().ToList() });
    }

    /// <summary>
    /// The form is multipart: its first part is the antiforgery token (the hidden field comes first in
    /// the form), checked before a byte of the file is read; the file part is streamed to the caller's
    /// receiving prefix as the API's upload does (same limits, same upload slots), never buffered whole.
    /// </summary>
    private static async Task<IResult> Upload(HttpContext http, IAntiforgery antiforgery, IAmazonS3 s3, IOptions<StorageOptions> storage,
        IOptions<ApiOptions> options, UploadSlots uploads, IBus bus, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        if (ApiPolicy.ScopeFor(caller.Role, ApiAction.SubmitIngest) == Scope.None)
            return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not submit ingests.");
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Results.BadRequest("expected a multipart form");
        if (RequestLimits.Apply(http, options.Value.MaxUploadBytes, ApiErrors.UploadTooLarge) is { } tooLarge) return tooLarge;
        var reader = new MultipartReader(boundary, http.Request.Body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>();
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) return Results.BadRequest("a form part without a name");
            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (!disposition.IsFileDisposition())
            {
                using var text = new StreamReader(section.Body);
                var value = new char[4096];
                var read = await text.ReadBlockAsync(value, ct);
                fields[field] = new string(value, 0, read);
                if (field == Viewer.CsrfField)
                {
                    // Antiforgery reads the header before any form: the token from the first part, checked now.
                    http.Request.Headers["RequestVerificationToken"] = fields[field];
                    try { await antiforgery.ValidateRequestAsync(http); }
                    catch (AntiforgeryValidationException) { return Results.BadRequest("This form has expired or did not come from the console: reload the page and try again."); }
                }
                continue;
            }
            if (!fields.ContainsKey(Viewer.CsrfField)) return Results.BadRequest("the form's token must come before the file");
            var name = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "");
            if (IngestEndpointsNameError(name) is { } nameError)
                return await ConsolePages.RenderAsync<UploadPage>(http, new() { ["StorageOptions"] = storage.Value.EffectiveOptions.Keys.Order().ToList(), ["Error"] = nameError },
                    StatusCodes.Status400BadRequest);
            using var slot = uploads.TryTake();
            if (slot is null) return Results.Text("Too many uploads at once: try again in a minute.", statusCode: StatusCodes.Status503ServiceUnavailable);
            var key = $"{caller.Institution}/{name}";
            var bucket = storage.Value.ReceivingBucket;
            UploadResult upload;
            try
            {
                upload = await StreamingUpload.UploadAsync(s3, bucket, key, section.Body, null, options.Value.UploadPartBytes, options.Value.MaxUploadBytes, ct);
            }
            catch (Exception e) when (e is UploadTooLargeException or BadHttpRequestException or IOException or AmazonS3Exception or ArgumentException && !ct.IsCancellationRequested)
            {
                return await ConsolePages.RenderAsync<UploadPage>(http, new() { ["StorageOptions"] = storage.Value.EffectiveOptions.Keys.Order().ToList(), ["Error"] = $"The upload failed: {e.Message}" },
                    StatusCodes.Status400BadRequest);
            }
            var option = fields.GetValueOrDefault("storageOption")?.Trim();
            var now = DateTimeOffset.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
            var submit = new SubmitIngest(caller.Institution, bucket, key, upload.ETag, upload.Size, string.IsNullOrEmpty(option) ? null : option, caller.Email, now);
            await bus.Publish(submit, ct);
            return Results.Redirect($"/ingests/{submit.IngestId}?notice=submitted");
        }
        return Results.BadRequest("the form had no file");
    }

    private static string? IngestEndpointsNameError(string name) => IngestEndpoints.NameError(name);

    private static readonly JsonSerializerOptions StoredJson = new() { PropertyNameCaseInsensitive = true };
}
