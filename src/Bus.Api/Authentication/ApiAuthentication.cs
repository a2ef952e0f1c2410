using System.Security.Cryptography;
using Bus.Api.Problems;
using Bus.Registry.Store;
using Bus.Registry.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Bus.Api.Authentication;

/// <summary>
/// One scheme for the API ("bus"): personal tokens always, JWT bearer when Bus:Api:Jwt is set. A
/// bearer that looks like a Bus token goes to the token handler, anything else to JWT (when on).
/// Either way the result is an <see cref="ApiCaller"/> read from the registry.
/// </summary>
public static class ApiAuthentication
{
    public const string Scheme = "bus";
    public const string JwtScheme = "bus-jwt";

    public static IServiceCollection AddApiAuthentication(this IServiceCollection services, JwtOptions jwt)
    {
        var builder = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bus API token or JWT", o => o.ForwardDefaultSelector = context =>
                jwt.Enabled && TokenAuthenticationHandler.BearerOf(context.Request.Headers.Authorization.ToString()) is { } bearer
                            && !bearer.StartsWith(ApiTokens.Marker, StringComparison.Ordinal)
                    ? JwtScheme
                    : TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled) builder.AddJwtBearer(JwtScheme, o => Configure(o, jwt));
        services.AddAuthorization();
        return services;
    }

    private static void Configure(JwtBearerOptions o, JwtOptions jwt)
    {
        o.MapInboundClaims = false;
        o.Audience = jwt.Audience;
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            o.Authority = jwt.Authority;
            o.RequireHttpsMetadata = jwt.Authority.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        }
        if (!string.IsNullOrWhiteSpace(jwt.SigningKeyFile))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(jwt.SigningKeyFile));
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? jwt.Authority : jwt.Issuer,
                ValidAudience = jwt.Audience,
                IssuerSigningKey = new RsaSecurityKey(rsa),
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
            };
        }
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var email = context.Principal?.FindFirst(jwt.EmailClaim)?.Value?.Trim().ToLowerInvariant();
                if (string.IsNullOrEmpty(email))
                {
                    context.Fail($"the token has no '{jwt.EmailClaim}' claim");
                    return;
                }
                var registry = context.HttpContext.RequestServices.GetRequiredService<RegistryDatabase>();
                var user = await registry.RunAsync(s => s.FindUserAsync(email, context.HttpContext.RequestAborted), context.HttpContext.RequestAborted);
                if (user is null)
                {
                    context.Fail($"'{email}' is not a Bus user");
                    return;
                }
                context.Principal = new ApiCaller(user.Email, user.Institution, user.Role).ToPrincipal(JwtScheme);
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ProblemResults.WriteAsync(context.HttpContext, ApiErrors.Unauthenticated,
                    context.AuthenticateFailure?.Message ?? "send 'Authorization: Bearer <token>' with a personal API token or a JWT of your identity provider");
            },
        };
    }
}
