using System.Text.Json;
using Bus.Host.Health;
using Bus.Host.Roles;
using Bus.Host.Telemetry;
using Bus.Persistence;
using Bus.Platform;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using Bus.Platform.Probes;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bus.Host;

/// <summary>The composition root: read top to bottom, it is the host's architecture.</summary>
public static class BusHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--roles"] = $"{BusHostOptions.Section}:Roles" });

        var hostOptions = builder.Configuration.GetSection(BusHostOptions.Section).Get<BusHostOptions>() ?? new BusHostOptions();
        builder.WebHost.UseUrls(hostOptions.HealthUrl);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(hostOptions.ShutdownTimeoutSeconds));

        // Platform: options for every module, S3 client, probes.
        builder.Services.AddBusPlatform(builder.Configuration);
        builder.Services.AddBusOptions<BusHostOptions>(builder.Configuration);

        // Persistence: saga tables, inbox/outbox and its delivery, optional start-up migration (before the bus starts).
        builder.Services.AddBusPersistence(builder.Configuration);

        // Roles: each adds its services and its consumers/sagas.
        var roles = RoleSelection.Select(hostOptions.Roles);
        foreach (var role in roles) role.AddServices(builder.Services, builder.Configuration);
        builder.Services.AddBusMessaging(x => { foreach (var role in roles) role.AddConsumers(x); },
            (context, cfg) => cfg.UseBusPersistence(context));

        // Health: MassTransit registers the bus check itself; PostgreSQL and S3 come from the shared probes.
        builder.Services.AddHealthChecks()
            .AddCheck<ProbeHealthCheck<PostgresProbe>>("postgres", tags: ["ready"])
            .AddCheck<ProbeHealthCheck<StorageProbe>>("s3", tags: ["ready"]);
        builder.Services.AddSingleton<ProbeHealthCheck<PostgresProbe>>();
        builder.Services.AddSingleton<ProbeHealthCheck<StorageProbe>>();
        builder.Services.AddHostedService<HealthReportLogger>();

        // Telemetry: metrics at Bus:Telemetry:MetricsPath, traces through MassTransit's headers (OTLP when set).
        builder.Services.AddBusTelemetry(builder.Configuration);

        var app = builder.Build();
        app.MapHealthChecks(HealthPaths.Live, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(HealthPaths.Ready, new HealthCheckOptions { ResponseWriter = WriteReport });
        app.MapBusTelemetry();
        foreach (var role in roles) role.MapEndpoints?.Invoke(app);
        app.Logger.LogInformation("Bus host starting with roles {Roles}", string.Join(",", roles.Select(r => r.Name)));
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}
