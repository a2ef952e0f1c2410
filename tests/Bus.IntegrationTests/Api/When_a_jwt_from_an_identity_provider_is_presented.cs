using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

/// <summary>JWT bearer with a signing key made by the fixture (Bus:Api:Jwt:SigningKeyFile): no network.</summary>
[Collection(ApiCollection.Collection)]
public sealed class When_a_jwt_from_an_identity_provider_is_presented(ApiStack api)
{
    private static long In(TimeSpan t) => DateTimeOffset.UtcNow.Add(t).ToUnixTimeSeconds();

    private async Task<(HttpStatusCode Status, JsonElement Body)> MeAsync(string jwt)
    {
        using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/me"), jwt);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_valid_token_acts_as_the_registry_user_its_email_claim_names()
    {
        var email = api.Users[(api.Own, Roles.InstitutionalAdmin)].Email;
        var (status, me) = await MeAsync(api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, email, exp = In(TimeSpan.FromMinutes(5)) }));
        Assert.True(status == HttpStatusCode.OK, me.ToString());
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(Roles.InstitutionalAdmin, me.GetProperty("role").GetString());

        // The same policy applies: the other institution's object does not exist for this caller.
        using var other = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/objects/{api.Objects[api.Other]}"),
            api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, email, exp = In(TimeSpan.FromMinutes(5)) }));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Tokens_with_a_wrong_key_audience_issuer_expiry_or_unknown_email_are_refused()
    {
        var email = api.Users[(api.Own, Roles.Depositor)].Email;
        using var stranger = RSA.Create(2048);
        var refused = new[]
        {
            api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, email, exp = In(TimeSpan.FromMinutes(5)) }, stranger),
            api.Jwt(new { iss = ApiStack.Issuer, aud = "someone-else", email, exp = In(TimeSpan.FromMinutes(5)) }),
            api.Jwt(new { iss = "https://evil.invalid", aud = ApiStack.Audience, email, exp = In(TimeSpan.FromMinutes(5)) }),
            api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, email, exp = In(TimeSpan.FromMinutes(-10)) }),
            api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, email = $"nobody@{api.Own}", exp = In(TimeSpan.FromMinutes(5)) }),
            api.Jwt(new { iss = ApiStack.Issuer, aud = ApiStack.Audience, exp = In(TimeSpan.FromMinutes(5)) }),
        };
        foreach (var jwt in refused)
        {
            var (status, problem) = await MeAsync(jwt);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.EndsWith("/unauthenticated", problem.GetProperty("type").GetString());
        }
    }
}
