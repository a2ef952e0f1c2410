using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bus.Platform.Probes;

/// <summary>Turns a component probe into a health check, so the host and busctl judge the same way.</summary>
public sealed class ProbeHealthCheck<TProbe>(TProbe probe) : IHealthCheck where TProbe : IComponentProbe
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var results = await probe.ProbeAsync(cancellationToken);
        var data = results.ToDictionary(r => r.Component, r => (object)$"{(r.Up ? "up" : "down")}: {r.Detail}");
        var down = results.Where(r => !r.Up).ToList();
        return down.Count == 0
            ? HealthCheckResult.Healthy(string.Join("; ", results.Select(r => r.Detail)), data)
            : new HealthCheckResult(context.Registration.FailureStatus,
                string.Join("; ", down.Select(r => $"{r.Component} at {r.Endpoint}: {r.Detail}")), data: data);
    }
}
