using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.OpenApi;
using Bus.Api.Problems;
using Bus.Registry;
using Bus.Registry.Model;
using Bus.Registry.Queries;
using Bus.Registry.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Api.Endpoints;

/// <summary>
/// /api/v1/objects/{institution}/{bag}: an object (its identifier is the two path segments) with its
/// files, checksums and copies, as <c>busctl objects show</c> reads it; its PREMIS events paged apart.
/// </summary>
public static class ObjectEndpoints
{
    public sealed record FileView(string Identifier, long Size, string Format, string State, IReadOnlyList<ChecksumView> Checksums, IReadOnlyList<CopyView> Copies);
    public sealed record ChecksumView(string Algorithm, string Digest, string Source, DateTimeOffset DateTime);
    public sealed record CopyView(string Bucket, string Key, string StorageOption, string State, DateTimeOffset StoredAt, DateTimeOffset? VerifiedAt,
        DateTimeOffset? LastFixityAt, string? LastFixityOutcome);
    public sealed record ObjectView(string Identifier, string Institution, string BagName, string Title, string? Description, string Access,
        string StorageOption, string State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt, IReadOnlyList<FileView> Files);
    public sealed record EventView(Guid Id, string Identifier, string EventType, DateTimeOffset DateTime, string Outcome, string Detail, string? OutcomeDetail, string Agent);

    public static RouteGroupBuilder MapObjects(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/objects").WithTags("Objects");
        group.MapGet("/{institution}/{bag}", Get).WithName("GetObject").WithSummary("An object with its files, checksums and copies")
            .Produces<ObjectView>().Problems(ApiErrors.Forbidden, ApiErrors.NotFound);
        group.MapGet("/{institution}/{bag}/events", Events).WithName("GetObjectEvents").WithSummary("The object's PREMIS events, oldest first (paged)")
            .Produces<Page<EventView>>().Problems(ApiErrors.InvalidRequest, ApiErrors.InvalidCursor, ApiErrors.Forbidden, ApiErrors.NotFound);
        return group;
    }

    private static async Task<IResult> Get(HttpContext http, RegistryDatabase registry, string institution, string bag, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var identifier = Identifiers.ForObject(institution, bag);
        var missing = $"no object '{identifier}'";
        if (!Identifiers.TryParse(identifier, out var parsed, out _) || parsed.IsFile) return ApiErrors.NotFound.Problem(missing);
        // Decided before the registry is read: another institution's object is not even looked up.
        if (Access.Check(caller, ApiAction.ReadObject, parsed.Institution, missing) is { } refused) return refused;
        await using var db = registry.CreateDbContext();
        var detail = await ObjectDetails.LoadAsync(db, identifier, ct);
        if (detail is null) return ApiErrors.NotFound.Problem(missing);
        var o = detail.IntellectualObject;
        return Results.Ok(new ObjectView(o.Identifier, o.Institution, o.BagName, o.Title, o.Description, o.Access, o.StorageOption, o.State,
            o.CreatedAt, o.UpdatedAt, o.DeletedAt,
            detail.Files.Select(f => new FileView(f.File.Identifier, f.File.Size, f.File.Format, f.File.State,
                f.Checksums.Select(c => new ChecksumView(c.Algorithm, c.Digest, c.Source, c.DateTime)).ToList(),
                f.StorageRecords.Select(s => new CopyView(s.Bucket, s.Key, s.StorageOption, s.State, s.StoredAt, s.VerifiedAt, s.LastFixityAt, s.LastFixityOutcome)).ToList()))
                .ToList()));
    }

    private static async Task<IResult> Events(HttpContext http, RegistryDatabase registry, IOptions<ApiOptions> options, string institution, string bag,
        int? limit, string? after, CancellationToken ct)
    {
        var caller = ApiCaller.From(http.User);
        var identifier = Identifiers.ForObject(institution, bag);
        var missing = $"no object '{identifier}'";
        if (!Identifiers.TryParse(identifier, out var parsed, out _) || parsed.IsFile) return ApiErrors.NotFound.Problem(missing);
        if (Access.Check(caller, ApiAction.ReadObject, parsed.Institution, missing) is { } refused) return refused;
        if (Paging.LimitError(limit, options.Value.MaxPageSize) is { } limitError) return ApiErrors.InvalidRequest.Problem(limitError);
        if (!Cursor.TryDecode(after, out var cursor) || (cursor is { } c && !Guid.TryParse(c.Id, out _)))
            return ApiErrors.InvalidCursor.Problem("'after' must be the 'next' value of the previous page");
        var take = limit ?? Paging.DefaultLimit;
        await using var db = registry.CreateDbContext();
        var objectId = await db.Objects.AsNoTracking().Where(o => o.Identifier == identifier).Select(o => (long?)o.Id).SingleOrDefaultAsync(ct);
        if (objectId is null) return ApiErrors.NotFound.Problem(missing);
        var query = db.Events.AsNoTracking().Where(e => e.ObjectId == objectId);
        if (cursor is { } from)
        {
            var lastId = Guid.Parse(from.Id);
            query = query.Where(e => EF.Functions.GreaterThan(ValueTuple.Create(e.DateTime, e.Id), ValueTuple.Create(from.At, lastId)));
        }
        var rows = await query.OrderBy(e => e.DateTime).ThenBy(e => e.Id).Take(take + 1).ToListAsync(ct);
        return Results.Ok(Paging.Make(rows, take, e => new Cursor(e.DateTime, e.Id.ToString()),
            (PremisEvent e) => new EventView(e.Id, e.Identifier, e.EventType, e.DateTime, e.Outcome, e.Detail, e.OutcomeDetail, e.Agent)));
    }
}
