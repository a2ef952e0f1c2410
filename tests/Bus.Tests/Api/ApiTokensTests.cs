using Bus.Registry.Tokens;

namespace Bus.Tests.Api;

public sealed class ApiTokensTests
{
    [Fact]
    public void A_new_token_carries_its_prefix_and_256_random_bits_and_only_its_hash_is_kept()
    {
        var made = ApiTokens.Create();
        Assert.StartsWith($"bus_{made.Prefix}_", made.Token);
        Assert.True(ApiTokens.TryParse(made.Token, out var prefix));
        Assert.Equal(made.Prefix, prefix);
        Assert.Equal(32, made.Sha256.Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(made.Token)), made.Sha256);
        var secret = made.Token[(4 + ApiTokens.PrefixLength + 1)..];
        Assert.Equal(32, Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=").Length);
        Assert.NotEqual(made.Token, ApiTokens.Create().Token);
    }

    [Fact]
    public void A_token_matches_only_its_own_hash()
    {
        var made = ApiTokens.Create();
        Assert.True(ApiTokens.Matches(made.Token, made.Sha256));
        var tampered = made.Token[..^1] + (made.Token[^1] == 'A' ? 'B' : 'A');
        Assert.False(ApiTokens.Matches(tampered, made.Sha256));
        Assert.False(ApiTokens.Matches(made.Token, ApiTokens.Create().Sha256));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bus_")]
    [InlineData("bus_ABCDEFGH_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("bus_abcdefgh-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("bus_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("bus_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa a")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.sig")]
    public void Anything_not_shaped_like_a_token_is_refused_before_any_lookup(string text) =>
        Assert.False(ApiTokens.TryParse(text, out _));
}
