using Bus.Platform.Options;

using Bus.Host.Roles;

namespace Bus.Host;

public sealed class BusHostOptions : IBusOptions
{
    public const string Section = "Bus:Host";
    public string SectionName => Section;

    /// <summary>Comma-separated roles this process runs, or "all".</summary>
    public string Roles { get; set; } = "all";
    /// <summary>Where /health/live and /health/ready answer.</summary>
    public string HealthUrl { get; set; } = "http://127.0.0.1:8480";
    /// <summary>
    /// Bound on graceful shutdown after SIGTERM. Ingest steps checkpoint at the next file boundary
    /// as soon as the host starts stopping (the goal: stopped within 10 s); a step still inside one
    /// big file when this runs out is abandoned unacknowledged and the broker redelivers it to
    /// another process, which resumes from the last checkpoint. 8 s leaves room for teardown.
    /// </summary>
    public int ShutdownTimeoutSeconds { get; set; } = 8;
    /// <summary>How often the host logs its health when it changes.</summary>
    public int HealthLogSeconds { get; set; } = 10;

    public IEnumerable<OptionError> Validate()
    {
        var unknown = RoleSelection.Unknown(Roles).ToList();
        if (unknown.Count > 0) yield return new(nameof(Roles), $"has unknown role(s) {string.Join(", ", unknown)}; known: {string.Join(", ", RoleCatalog.Names)}, or all");
        if (!Uri.TryCreate(HealthUrl, UriKind.Absolute, out var u) || u.Scheme != "http") yield return new(nameof(HealthUrl), $"must be an http URL (got '{HealthUrl}')");
        if (ShutdownTimeoutSeconds is < 1 or > 300) yield return new(nameof(ShutdownTimeoutSeconds), $"must be 1-300 (got {ShutdownTimeoutSeconds})");
        if (HealthLogSeconds is < 1 or > 3600) yield return new(nameof(HealthLogSeconds), $"must be 1-3600 (got {HealthLogSeconds})");
    }

    public IEnumerable<string> Endpoints() => Uri.TryCreate(HealthUrl, UriKind.Absolute, out var u) ? [u.Host] : [];
}
