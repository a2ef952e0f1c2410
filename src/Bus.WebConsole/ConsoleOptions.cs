using Bus.Platform.Options;

namespace Bus.WebConsole;

/// <summary>Bus:Console: the console's thresholds and windows, and its optional OIDC sign-in (docs/console.md).</summary>
public sealed class ConsoleOptions : IBusOptions
{
    public const string Section = "Bus:Console";
    public string SectionName => Section;

    /// <summary>An ingest whose saga has not been updated for this long counts as stuck on the dashboard.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromHours(1);
    /// <summary>The dashboard's "ended recently" window (ingests completed, rejected, failed or cancelled).</summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How often the dashboard reloads itself.</summary>
    public TimeSpan DashboardRefresh { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>How often an ingest's page reloads itself until the ingest ends.</summary>
    public TimeSpan IngestRefresh { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Rows per page of the ingest, object, deletion and alert lists.</summary>
    public int PageSize { get; set; } = 100;
    /// <summary>The fixity report's "checked recently" window.</summary>
    public TimeSpan FixityReportWindow { get; set; } = TimeSpan.FromDays(90);
    /// <summary>A session ends after this long without a request (sliding).</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(8);

    public ConsoleOidcOptions Oidc { get; set; } = new();

    public IEnumerable<OptionError> Validate()
    {
        if (StuckAfter < TimeSpan.FromMinutes(1) || StuckAfter > TimeSpan.FromDays(30))
            yield return new(nameof(StuckAfter), $"must be 00:01:00-30.00:00:00 (got {StuckAfter})");
        if (RecentWindow < TimeSpan.FromMinutes(1) || RecentWindow > TimeSpan.FromDays(366))
            yield return new(nameof(RecentWindow), $"must be 00:01:00-366.00:00:00 (got {RecentWindow})");
        if (DashboardRefresh < TimeSpan.FromSeconds(1) || DashboardRefresh > TimeSpan.FromHours(1))
            yield return new(nameof(DashboardRefresh), $"must be 00:00:01-01:00:00 (got {DashboardRefresh})");
        if (IngestRefresh < TimeSpan.FromSeconds(1) || IngestRefresh > TimeSpan.FromHours(1))
            yield return new(nameof(IngestRefresh), $"must be 00:00:01-01:00:00 (got {IngestRefresh})");
        if (PageSize is < 1 or > 1000) yield return new(nameof(PageSize), $"must be 1-1000 (got {PageSize})");
        if (FixityReportWindow < TimeSpan.FromDays(1) || FixityReportWindow > TimeSpan.FromDays(3660))
            yield return new(nameof(FixityReportWindow), $"must be 1-3660 days (got {FixityReportWindow})");
        if (SessionIdle < TimeSpan.FromMinutes(1) || SessionIdle > TimeSpan.FromDays(30))
            yield return new(nameof(SessionIdle), $"must be 00:01:00-30.00:00:00 (got {SessionIdle})");
        foreach (var error in Oidc.Validate()) yield return error with { Key = $"{nameof(Oidc)}:{error.Key}" };
    }

    public IEnumerable<string> Endpoints() =>
        Oidc.Enabled && Uri.TryCreate(Oidc.Authority, UriKind.Absolute, out var u) ? [u.Host] : [];

    // A confidential client in production: the code is only redeemed with the secret (PKCE as well).
    public IEnumerable<(string Key, string? Value)> Secrets() =>
        Oidc.Enabled ? [($"{nameof(Oidc)}:{nameof(ConsoleOidcOptions.ClientSecret)}", Oidc.ClientSecret)] : [];

    public IEnumerable<OptionError> ValidateProduction()
    {
        if (Oidc.Enabled && Uri.TryCreate(Oidc.Authority, UriKind.Absolute, out var u) && u.Scheme != Uri.UriSchemeHttps
            && !BusOptionsValidator<ConsoleOptions>.IsLoopback(u.Host))
            yield return new($"{nameof(Oidc)}:{nameof(ConsoleOidcOptions.Authority)}", $"must be https in Production (got '{Oidc.Authority}')");
    }
}

/// <summary>
/// Bus:Console:Oidc: sign in to the console through an OpenID Connect provider (authorization code
/// flow with PKCE). Off unless <see cref="Authority"/> is set. The <see cref="EmailClaim"/> of the
/// id_token must name a registered Bus user, as for the API's JWT bearer.
/// </summary>
public sealed class ConsoleOidcOptions
{
    /// <summary>The provider's issuer URL; its endpoints and signing keys are read from its discovery document.</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>Which id_token claim holds the user's email (default <c>email</c>).</summary>
    public string EmailClaim { get; set; } = "email";
    /// <summary>Scopes asked for, space-separated; must include <c>openid</c>.</summary>
    public string Scopes { get; set; } = "openid email profile";
    /// <summary>Shown on the button ("Sign in with ..."); default the authority's host name.</summary>
    public string? DisplayName { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string ButtonName => string.IsNullOrWhiteSpace(DisplayName)
        ? Uri.TryCreate(Authority, UriKind.Absolute, out var u) ? u.Host : "OpenID Connect"
        : DisplayName.Trim();

    public IEnumerable<OptionError> Validate()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http"))
            yield return new(nameof(Authority), $"must be an absolute http(s) URL (got '{Authority}')");
        if (string.IsNullOrWhiteSpace(ClientId)) yield return new(nameof(ClientId), "is required when OIDC sign-in is on (Authority set)");
        if (string.IsNullOrWhiteSpace(EmailClaim)) yield return new(nameof(EmailClaim), "must name a claim");
        if (!ScopeList.Contains("openid", StringComparer.Ordinal)) yield return new(nameof(Scopes), $"must include 'openid' (got '{Scopes}')");
        if (DisplayName is { Length: > 60 }) yield return new(nameof(DisplayName), "must be at most 60 characters");
    }
}
