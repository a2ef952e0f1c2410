using Bus.Restore;
using Bus.Api.Authentication;
using Bus.Api.Endpoints;
using Bus.Api.Limits;
using Bus.Api.OpenApi;
using Bus.Fixity;
using Bus.Ingest.Data;
using Bus.Deletion.Data;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Bus.Api;

/// <summary>Role "api": the HTTP API on the host's Kestrel listener (docs/api.md).</summary>
public static class ApiServices
{
    public const string Prefix = "/api/v1";

    public static IServiceCollection AddBusApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<ApiOptions>(configuration);
        if (!services.Any(d => d.ServiceType == typeof(RegistryDatabase))) services.AddBusRegistry();
        // The fixity ledger and copy lookup (fixity-checks), without the sweep.
        services.AddFixityRecords(configuration);
        services.AddRestoreWorkflow(configuration);
        // The ingest and deletion saga rows it reads, through EF on the shared data source.
        services.AddBusDbContext<IngestDbContext>(IngestDbContext.ModuleName);
        services.AddBusDbContext<DeletionDbContext>(DeletionDbContext.ModuleName);
        services.TryAddSingleton(TimeProvider.System);
        var jwt = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()?.Jwt ?? new JwtOptions();
        services.AddApiAuthentication(jwt);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestProblems>();
        services.AddSingleton<UploadSlots>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) => KestrelLimits.Apply(kestrel, api.Value));
        services.AddOpenApi("v1", ApiDocumentation.Configure);
        return services;
    }

    public static void MapBusApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        // The reference page serves its script from the package (no CDN): /scalar/v1.
        app.MapScalarApiReference();
        var api = app.MapGroup(Prefix).RequireAuthorization().WithRequestLimits();
        api.MapIngests();
        api.MapDeletions();
        api.MapObjects();
        api.MapAlerts();
        api.MapFixityChecks();
        api.MapRestores();
        api.MapGet("/me", (HttpContext http) => Results.Ok(ApiCaller.From(http.User))).WithName("WhoAmI").WithTags("Identity")
            .WithSummary("The authenticated caller: email, institution and role as the registry holds them")
            .Produces<ApiCaller>();
    }
}
