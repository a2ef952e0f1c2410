using System.Text.Json;
using Bus.Cli.Output;

namespace Bus.Cli.Api;

// The parts of the API's answers busctl reads (docs/api.md); with --json busctl prints the answers themselves.

public sealed record SubmittedDocument(Guid IngestId, string Bucket, string Key, string ETag, long Size, DateTimeOffset? SubmittedAt);

public sealed record IngestDocument(
    Guid IngestId, string State, string Institution, string Key, long Size, string SubmittedBy, string? ObjectIdentifier, string? CurrentStep,
    string? LastError, IReadOnlyList<IssueDocument>? Rejections, int FileCount, long Bytes, DateTimeOffset ReceivedAt, DateTimeOffset? FinishedAt,
    Guid? Supersedes, Guid? SupersededBy, IReadOnlyList<StepDocument>? Steps, long ProgressDone, long ProgressTotal, DateTimeOffset? LastSubmittedAt);

public sealed record IssueDocument(string Code, string? Path, string Message);

public sealed record StepDocument(string Step, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record PageDocument(IReadOnlyList<JsonElement> Items, string? Next);

public static class ApiDocuments
{
    public static T Read<T>(JsonElement element) =>
        element.Deserialize<T>(CliOutput.JsonOptions) ?? throw new ApiUnreachableException($"the API answered an empty {typeof(T).Name}");

    /// <summary>Follows a paged list (<c>limit</c>/<c>after</c>) until <paramref name="max"/> items or its end.</summary>
    public static async Task<List<JsonElement>> ReadPagesAsync(ApiClient api, string path, int max, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? after = null;
        var separator = path.Contains('?') ? '&' : '?';
        do
        {
            var limit = Math.Min(max - items.Count, 100);
            var page = Read<PageDocument>(await api.GetAsync($"{path}{separator}limit={limit}{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}", ct));
            items.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null && items.Count < max);
        return items;
    }

    public static string Text(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString()
            : "";

    /// <summary>An identifier's path below /api/v1/objects/: each segment escaped.</summary>
    public static string ObjectPath(string institution, string bag) => $"objects/{Uri.EscapeDataString(institution)}/{Uri.EscapeDataString(bag)}";
}
