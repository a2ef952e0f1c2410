using Bus.Api.Authorization;
using Bus.Registry.Store;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Reports;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Endpoints;

/// <summary>/reports: every report as a table; /reports/{name}.csv: the same rows as CSV. Scoped as reading objects is.</summary>
public static class ReportPages
{
    public static void MapConsoleReports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports", Page);
        app.MapGet("/reports/{file}", Csv);
    }

    private static async Task<IResult> Page(HttpContext http, RegistryDatabase registry, IOptions<ConsoleOptions> console, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var scope = ConsoleScope.For(caller, ApiAction.ReadObject);
        if (scope.Scope == Scope.None) return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not read objects.");
        var reports = new List<Report>();
        foreach (var name in ConsoleReports.Names) reports.Add(await ConsoleReports.RunAsync(registry.DataSource, name, scope.InstitutionFilter, ct, console.Value.FixityReportWindow));
        return await ConsolePages.RenderAsync<ReportsPage>(http, new() { ["Reports"] = reports });
    }

    private static async Task<IResult> Csv(HttpContext http, RegistryDatabase registry, IOptions<ConsoleOptions> console, string file, CancellationToken ct)
    {
        if (!PageResults.TrySignedIn(http, out var caller, out var signIn)) return signIn;
        var name = file.EndsWith(".csv", StringComparison.Ordinal) ? file[..^4] : "";
        if (!ConsoleReports.Exists(name)) return await PageResults.NotFound(http, $"No report '{file}'.");
        var scope = ConsoleScope.For(caller, ApiAction.ReadObject);
        if (scope.Scope == Scope.None) return await PageResults.Forbidden(http, $"Your role ({caller.Role}) may not read objects.");
        var report = await ConsoleReports.RunAsync(registry.DataSource, name, scope.InstitutionFilter, ct, console.Value.FixityReportWindow);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"bus-{name}.csv\"";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Text(ConsoleReports.ToCsv(report), "text/csv; charset=utf-8");
    }
}
