using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Bus.Host.Health;

/// <summary>Logs the host's health when it changes, so an operator watching the console sees it turn healthy or not.</summary>
public sealed class HealthReportLogger(HealthCheckService health, IOptions<BusHostOptions> options, ILogger<HealthReportLogger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HealthStatus? last = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HealthLogSeconds));
        do
        {
            var report = await health.CheckHealthAsync(stoppingToken);
            if (report.Status != last)
            {
                var level = report.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning;
                logger.Log(level, "Host is {Status}: {Checks}", report.Status,
                    string.Join("; ", report.Entries.Select(e => $"{e.Key}={e.Value.Status} ({e.Value.Description})")));
                last = report.Status;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
