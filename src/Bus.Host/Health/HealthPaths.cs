namespace Bus.Host.Health;

/// <summary>Where the host answers its probes (deploy/kubernetes probes these; tests check they agree).</summary>
public static class HealthPaths
{
    /// <summary>Healthy while the process answers at all: a liveness probe.</summary>
    public const string Live = "/health/live";
    /// <summary>PostgreSQL, S3 and the bus: a readiness probe.</summary>
    public const string Ready = "/health/ready";
}
