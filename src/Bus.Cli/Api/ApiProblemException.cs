using System.Net;
using System.Text.Json;

namespace Bus.Cli.Api;

/// <summary>
/// An error answer of the API (RFC 9457 problem+json: type, title, detail, and extensions such as a
/// deletion refusal's code), or a plain HTTP error when the body is not one.
/// </summary>
public sealed class ApiProblemException(int status, string type, string title, string? detail, IReadOnlyDictionary<string, JsonElement> extensions)
    : Exception(detail ?? title)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; } = extensions;

    /// <summary>The reason code: a deletion refusal's own code, else the last segment of the problem type.</summary>
    public string Code =>
        Extensions.TryGetValue("code", out var code) && code.ValueKind == JsonValueKind.String
            ? code.GetString()!
            : Type.TrimEnd('/').Split('/')[^1];

    /// <summary>
    /// busctl's exit code for it: 1 when the request was understood and refused or names nothing you
    /// may see (403, 404, 409), 2 for bad input, a refused credential or a server fault.
    /// </summary>
    public int ExitCode => Status switch
    {
        403 or 404 or 409 => ExitCodes.Negative,
        _ => ExitCodes.UsageOrConnection,
    };

    public static ApiProblemException Read(HttpStatusCode status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                var extensions = new Dictionary<string, JsonElement>();
                foreach (var p in root.EnumerateObject())
                    if (p.Name is not ("type" or "title" or "detail" or "status" or "instance")) extensions[p.Name] = p.Value.Clone();
                return new ApiProblemException((int)status, type.GetString()!, String(root, "title") ?? status.ToString(), String(root, "detail"), extensions);
            }
        }
        catch (JsonException) { }
        var text = body.Length > 300 ? body[..300] + "..." : body;
        return new ApiProblemException((int)status, $"http-{(int)status}", $"HTTP {(int)status} {status}", text.Length == 0 ? null : text, new Dictionary<string, JsonElement>());
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
