using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

[Collection(ApiCollection.Collection)]
public sealed class When_a_token_is_used_revoked_and_expired(ApiStack api)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> MeAsync(string? token)
    {
        using var response = await api.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/me"), token);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_token_works_until_it_is_revoked_and_only_its_hash_is_stored()
    {
        var (email, token) = await api.AddUserWithTokenAsync(api.Own, Roles.Depositor);
        var prefix = token[4..12];

        var (status, me) = await MeAsync(token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(api.Own, me.GetProperty("institution").GetString());
        Assert.Equal(Roles.Depositor, me.GetProperty("role").GetString());

        var stored = await api.Stack.QueryAsync("SELECT token_sha256, last_used_at IS NOT NULL FROM registry.api_tokens WHERE prefix = @p",
            r => (Hash: r.GetFieldValue<byte[]>(0), Used: r.GetBoolean(1)), ("p", prefix));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), stored.Single().Hash);
        Assert.True(stored.Single().Used, "last_used_at was not set by the first use");

        var listed = await api.Stack.BusctlOkAsync("users", "token", "list", email, "--json");
        Assert.Contains(prefix, listed.Stdout);
        Assert.DoesNotContain(token, listed.Stdout);

        await api.Stack.BusctlOkAsync("users", "token", "revoke", prefix);
        var (revokedStatus, problem) = await MeAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, revokedStatus);
        Assert.EndsWith("/unauthenticated", problem.GetProperty("type").GetString());
        Assert.Contains("revoked", problem.GetProperty("detail").GetString());

        // A token one character off is unknown, though its prefix exists.
        var (tamperedStatus, _) = await MeAsync(token[..^1] + (token[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, tamperedStatus);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var (email, _) = await api.AddUserWithTokenAsync(api.Own, Roles.Depositor);
        var token = await api.CreateTokenAsync(email, "2s");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        (HttpStatusCode Status, JsonElement Body) last;
        // Poll until the lifetime has passed: the refusal must come without anyone revoking the token.
        do last = await MeAsync(token);
        while (last.Status == HttpStatusCode.OK && DateTime.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));
        Assert.Equal(HttpStatusCode.Unauthorized, last.Status);
        Assert.Contains("expired", last.Body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_role_comes_from_the_registry_at_each_request()
    {
        var (email, token) = await api.AddUserWithTokenAsync(api.Own, Roles.Depositor);
        using (var refused = await api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/fixity-checks")
               { Content = JsonContent.Create(new { identifier = api.Objects[api.Own] }) }, token))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await api.Stack.ExecuteAsync("UPDATE registry.users SET role = 'operator' WHERE email = @e", ("e", email));
        var (_, me) = await MeAsync(token);
        Assert.Equal(Roles.Operator, me.GetProperty("role").GetString());
    }
}
