using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Bus.Registry.Tokens;

/// <summary>
/// Personal API tokens: <c>bus_&lt;prefix&gt;_&lt;secret&gt;</c>, where the prefix (8 lower-case letters and
/// digits) is the public lookup key and the secret is 256 random bits (base64url, 43 characters).
/// Only the SHA-256 of the whole token is stored, so a copy of the table lets nobody authenticate;
/// a fast hash is enough because the secret is random, not a password.
/// </summary>
public static class ApiTokens
{
    public const string Marker = "bus_";
    public const int PrefixLength = 8;
    public const int SecretBytes = 32;
    private const string PrefixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    // base64url of 32 bytes without padding.
    private const int SecretLength = 43;

    public sealed record NewToken(string Token, string Prefix, byte[] Sha256);

    public static NewToken Create()
    {
        var prefix = RandomNumberGenerator.GetString(PrefixAlphabet, PrefixLength);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        var token = $"{Marker}{prefix}_{secret}";
        return new NewToken(token, prefix, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>True when <paramref name="token"/> has the shape of a Bus token; <paramref name="prefix"/> is its lookup key.</summary>
    public static bool TryParse(string? token, [NotNullWhen(true)] out string? prefix)
    {
        prefix = null;
        if (token is null || token.Length != Marker.Length + PrefixLength + 1 + SecretLength || !token.StartsWith(Marker, StringComparison.Ordinal)) return false;
        var candidate = token.Substring(Marker.Length, PrefixLength);
        if (token[Marker.Length + PrefixLength] != '_' || !candidate.All(c => PrefixAlphabet.Contains(c))) return false;
        if (!token[(Marker.Length + PrefixLength + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        prefix = candidate;
        return true;
    }

    /// <summary>Whether <paramref name="token"/> hashes to <paramref name="storedSha256"/>, in time independent of where they differ.</summary>
    public static bool Matches(string token, byte[] storedSha256) => CryptographicOperations.FixedTimeEquals(Hash(token), storedSha256);

    public static bool IsPrefix(string text) => text.Length == PrefixLength && text.All(c => PrefixAlphabet.Contains(c));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
