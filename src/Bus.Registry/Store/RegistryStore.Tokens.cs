using NpgsqlTypes;

namespace Bus.Registry.Store;

// Personal API tokens (Tokens/ApiTokens.cs): stored as a SHA-256 hash under a public prefix.
public sealed partial class RegistryStore
{
    /// <summary>Stores a new token for an existing user. The prefix is random; a (very unlikely) clash returns false.</summary>
    public async Task<bool> AddTokenAsync(string prefix, byte[] sha256, string email, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            INSERT INTO {S}.api_tokens (prefix, token_sha256, email, expires_at) VALUES (@prefix, @hash, @email, @expires)
            ON CONFLICT (prefix) DO NOTHING
            """);
        command.Parameters.AddWithValue("prefix", prefix);
        command.Parameters.AddWithValue("hash", sha256);
        command.Parameters.AddWithValue("email", email.ToLowerInvariant());
        command.Parameters.AddWithValue("expires", NpgsqlDbType.TimestampTz, (object?)Utc(expiresAt) ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The token with this prefix and its user (institution and role as they are now), or null.</summary>
    public async Task<TokenRow?> FindTokenAsync(string prefix, CancellationToken cancellationToken = default) =>
        (await TokensAsync("WHERE t.prefix = @p", prefix, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<TokenRow>> ListTokensAsync(string email, CancellationToken cancellationToken = default) =>
        TokensAsync("WHERE t.email = @p", email.ToLowerInvariant(), cancellationToken);

    /// <summary>Revokes a token that is not revoked yet. False when unknown or already revoked.</summary>
    public async Task<bool> RevokeTokenAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"UPDATE {S}.api_tokens SET revoked_at = now() WHERE prefix = @prefix AND revoked_at IS NULL");
        command.Parameters.AddWithValue("prefix", prefix);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Records a use, at most once per <paramref name="granularity"/>: a token used many times a second
    /// writes one row a minute, not one per request.
    /// </summary>
    public async Task TouchTokenAsync(string prefix, TimeSpan granularity, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            UPDATE {S}.api_tokens SET last_used_at = now()
            WHERE prefix = @prefix AND (last_used_at IS NULL OR last_used_at < now() - @granularity)
            """);
        command.Parameters.AddWithValue("prefix", prefix);
        command.Parameters.AddWithValue("granularity", granularity);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<TokenRow>> TokensAsync(string where, string parameter, CancellationToken cancellationToken)
    {
        await using var command = Command($"""
            SELECT t.prefix, t.token_sha256, t.email, u.institution, u.role, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
            FROM {S}.api_tokens t JOIN {S}.users u ON u.email = t.email {where} ORDER BY t.created_at, t.prefix
            """);
        command.Parameters.AddWithValue("p", parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<TokenRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new TokenRow(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), NullableTime(reader, 6), NullableTime(reader, 7), NullableTime(reader, 8)));
        return rows;
    }
}

/// <summary>A stored token (its hash, never the token) with its user's current institution and role.</summary>
public sealed record TokenRow(
    string Prefix, byte[] Sha256, string Email, string Institution, string Role,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
