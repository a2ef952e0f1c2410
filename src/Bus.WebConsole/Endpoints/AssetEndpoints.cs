using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bus.WebConsole.Endpoints;

/// <summary>
/// /console/assets/{name}: the stylesheet and the one small script, embedded in this assembly and
/// served by the host (no CDN, no static-files folder to deploy beside the executable).
/// </summary>
public static class AssetEndpoints
{
    private static readonly Dictionary<string, (byte[] Body, string Type)> Assets = Load();

    public static void MapConsoleAssets(this IEndpointRouteBuilder app) =>
        app.MapGet("/console/assets/{name}", (HttpContext http, string name) =>
        {
            if (!Assets.TryGetValue(name, out var asset)) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=3600";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(asset.Body, asset.Type);
        });

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(AssetEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["console/".Length..];
            var type = Path.GetExtension(name) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", _ => "application/octet-stream" };
            assets[name] = (copy.ToArray(), type);
        }
        return assets;
    }
}
