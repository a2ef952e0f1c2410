using Bus.Api;
using Bus.Api.Limits;
using Bus.Operations;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.WebConsole.Authentication;
using Bus.WebConsole.Endpoints;
using Bus.WebConsole.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bus.WebConsole;

/// <summary>Role "console": the web console at / on the host's listener (docs/console.md).</summary>
public static class ConsoleServices
{
    public static IServiceCollection AddBusConsole(this IServiceCollection services, IConfiguration configuration)
    {
        // The console reads and acts through the API's services (policy table, upload limits and slots):
        // registered here too when the host runs the console without the api role.
        if (!services.Any(d => d.ServiceType == typeof(UploadSlots))) services.AddBusApi(configuration);
        services.AddBusRegistry();
        services.TryAddSingleton(TimeProvider.System);
        services.AddBusOptions<ConsoleOptions>(configuration);
        services.AddConsoleAuthentication(configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>()?.Oidc ?? new ConsoleOidcOptions());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "bus_console_af";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.FormFieldName = Rendering.Viewer.CsrfField;
        });
        services.AddSingleton<ConsoleQueries>();
        // The Operations page uses busctl's error-queue and saga services (and needs their tables: the module migrates them).
        if (!services.Any(d => d.ServiceType == typeof(Bus.Operations.ErrorQueues.ErrorQueueService))) services.AddBusOperations(configuration);
        services.AddSingleton<Bus.WebConsole.Operations.ConsoleOperations>();
        return services;
    }

    public static void MapBusConsole(this WebApplication app)
    {
        app.UseConsoleSession();
        app.MapConsoleAssets();
        app.MapConsoleSession();
        app.MapConsoleIngests();
        app.MapConsoleObjects();
        app.MapConsoleObjectActions();
        app.MapConsoleDeletions();
        app.MapConsoleAlerts();
        app.MapConsoleReports();
        app.MapConsoleOperations();
    }
}
