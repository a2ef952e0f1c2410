using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bus.IntegrationTests.Console;

/// <summary>
/// A minimal OpenID provider for the console's OIDC sign-in: Kestrel on loopback, addressed as
/// http://localhost:port so that it is another site than the console at 127.0.0.1 (the browser then
/// treats the round trip as cross-site, as with a real provider). It serves discovery, a JWKS with one
/// RSA key made here, an authorize page with an email field and a "Continue" button (the person's
/// click makes the provider's page start the navigation back, as a real login page does), and a token
/// endpoint that checks the client secret, the redirect URI and the PKCE verifier and issues a signed
/// id_token. The page's "another key" box signs the id_token with a key the JWKS does not hold
/// (same key id), to show that the console refuses it.
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "bus-console-test";
    public const string ClientSecret = "console-oidc-test-secret";
    public const string Name = "Test IdP";
    private const string KeyId = "test-key";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _published = new(RSA.Create(2048)) { KeyId = KeyId };
    private readonly RsaSecurityKey _unpublished = new(RSA.Create(2048)) { KeyId = KeyId };
    private readonly ConcurrentDictionary<string, Grant> _grants = new();

    private sealed record Grant(string RedirectUri, string Nonce, string Challenge, string Email, bool OtherKey);

    private TestOpenIdProvider(int port)
    {
        Issuer = $"http://localhost:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{Issuer}/authorize",
            ["token_endpoint"] = $"{Issuer}/token",
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_published.Rsa.ExportParameters(false)) { KeyId = KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        _app.MapGet("/authorize", Authorize);
        _app.MapGet("/approve", Approve);
        _app.MapPost("/token", Token);
    }

    public string Issuer { get; }

    public static async Task<TestOpenIdProvider> StartAsync()
    {
        var provider = new TestOpenIdProvider(Support.FreePort.Next());
        await provider._app.StartAsync();
        return provider;
    }

    private IResult Authorize(HttpRequest request)
    {
        var q = request.Query;
        if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
            return Results.BadRequest("expected the code flow with PKCE (S256) for the test client");
        var html = HtmlEncoder.Default;
        var page = $"""
            <!DOCTYPE html><html lang="en"><head><title>Test IdP</title></head><body>
            <h1>Test IdP</h1>
            <form method="get" action="/approve">
            <input type="hidden" name="redirect_uri" value="{html.Encode(q["redirect_uri"].ToString())}">
            <input type="hidden" name="state" value="{html.Encode(q["state"].ToString())}">
            <input type="hidden" name="nonce" value="{html.Encode(q["nonce"].ToString())}">
            <input type="hidden" name="code_challenge" value="{html.Encode(q["code_challenge"].ToString())}">
            <label for="email">Email</label> <input id="email" name="email" type="email">
            <label><input type="checkbox" name="other_key" value="1"> Sign with another key</label>
            <button type="submit">Continue</button>
            </form></body></html>
            """;
        return Results.Content(page, "text/html; charset=utf-8");
    }

    private IResult Approve(HttpRequest request)
    {
        var q = request.Query;
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _grants[code] = new Grant(q["redirect_uri"].ToString(), q["nonce"].ToString(), q["code_challenge"].ToString(), q["email"].ToString(), q["other_key"] == "1");
        return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"].ToString())}&iss={Uri.EscapeDataString(Issuer)}");
    }

    private async Task<IResult> Token(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, secret) = ClientOf(request, form);
        if (clientId != ClientId || secret != ClientSecret) return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        if (form["grant_type"] != "authorization_code" || !_grants.TryRemove(form["code"].ToString(), out var grant) || form["redirect_uri"] != grant.RedirectUri)
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        var verifier = form["code_verifier"].ToString();
        if (Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
            return Results.Json(new { error = "invalid_grant", error_description = "PKCE verifier does not match" }, statusCode: 400);
        var now = DateTime.UtcNow;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "sub-" + grant.Email, ["email"] = grant.Email, ["email_verified"] = true, ["nonce"] = grant.Nonce },
            SigningCredentials = new SigningCredentials(grant.OtherKey ? _unpublished : _published, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { access_token = "opaque-" + Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300, id_token = idToken });
    }

    /// <summary>client_secret_post or client_secret_basic, whichever the client sent.</summary>
    private static (string? Id, string? Secret) ClientOf(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (WebUtility.UrlDecode(pair[0]), pair.Length == 2 ? WebUtility.UrlDecode(pair[1]) : null);
        }
        return (form["client_id"], form["client_secret"]);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
