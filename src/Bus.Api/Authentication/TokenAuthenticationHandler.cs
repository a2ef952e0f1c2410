using System.Text.Encodings.Web;
using Bus.Api.Problems;
using Bus.Registry.Store;
using Bus.Registry.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bus.Api.Authentication;

/// <summary>
/// <c>Authorization: Bearer bus_…</c>: a personal API token (Registry/Tokens/ApiTokens.cs). The stored
/// SHA-256 is compared in constant time; a revoked or expired token is refused; the last-use time is
/// written at most once per <see cref="ApiOptions.TokenTouchInterval"/>.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    RegistryDatabase registry,
    IOptions<ApiOptions> api,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "bus-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request.Headers.Authorization.ToString()) is not { } token) return AuthenticateResult.NoResult();
        if (!ApiTokens.TryParse(token, out var prefix)) return AuthenticateResult.Fail("the bearer token is not a Bus API token");
        var row = await registry.RunAsync(s => s.FindTokenAsync(prefix, Context.RequestAborted), Context.RequestAborted);
        if (row is null || !ApiTokens.Matches(token, row.Sha256)) return AuthenticateResult.Fail("unknown API token");
        if (row.RevokedAt is not null) return AuthenticateResult.Fail("the API token was revoked");
        var now = time.GetUtcNow();
        if (!row.IsUsableAt(now)) return AuthenticateResult.Fail("the API token has expired");
        var interval = api.Value.TokenTouchInterval;
        if (row.LastUsedAt is not { } last || now - last >= interval)
            await registry.RunAsync(async s => { await s.TouchTokenAsync(prefix, interval, Context.RequestAborted); return 0; }, Context.RequestAborted);
        return AuthenticateResult.Success(new AuthenticationTicket(new ApiCaller(row.Email, row.Institution, row.Role).ToPrincipal(SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await ProblemResults.WriteAsync(Context, ApiErrors.Unauthenticated,
            result.Failure?.Message ?? "send 'Authorization: Bearer <token>' with a personal API token (busctl users token create)");
    }

    public static string? BearerOf(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token ? token : null;
}
