using Bus.Platform.Options;
using Bus.Platform.Storage;

namespace Bus.Api;

/// <summary>Bus:Api: request and upload bounds, paging and the optional JWT bearer (docs/api.md).</summary>
public sealed class ApiOptions : IBusOptions
{
    public const string Section = "Bus:Api";
    public string SectionName => Section;

    /// <summary>
    /// Bytes held in memory per streamed upload: the body goes to S3 in parts of this size (S3's
    /// minimum part is 5 MiB). With no Content-Length, 10,000 parts of this size is the largest upload.
    /// </summary>
    public long UploadPartBytes { get; set; } = 16L * 1024 * 1024;
    /// <summary>The largest tar accepted through the API (default S3's largest object, 5 TiB).</summary>
    public long MaxUploadBytes { get; set; } = S3Limits.MaxObjectBytes;
    /// <summary>
    /// The largest body any other route reads (every JSON body is a few hundred bytes): a declared
    /// Content-Length above it is answered 413 before reading, a chunked body when it passes it.
    /// </summary>
    public long MaxJsonBodyBytes { get; set; } = 64 * 1024;
    /// <summary>
    /// Streamed uploads at once, so memory stays bounded (two part buffers each); one more is answered
    /// 503 uploads-busy with Retry-After.
    /// </summary>
    public int MaxConcurrentUploads { get; set; } = 4;
    /// <summary>Largest page a list returns, whatever <c>limit</c> asks.</summary>
    public int MaxPageSize { get; set; } = 500;
    /// <summary>A token's last-used time is written at most this often.</summary>
    public TimeSpan TokenTouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    public JwtOptions Jwt { get; set; } = new();

    public IEnumerable<OptionError> Validate()
    {
        if (UploadPartBytes is < S3Limits.MinPartBytes or > 512L * 1024 * 1024)
            yield return new(nameof(UploadPartBytes), $"must be {S3Limits.MinPartBytes}-{512L * 1024 * 1024} bytes (got {UploadPartBytes})");
        if (MaxUploadBytes is < 1 or > S3Limits.MaxObjectBytes) yield return new(nameof(MaxUploadBytes), $"must be 1-{S3Limits.MaxObjectBytes} (got {MaxUploadBytes})");
        if (MaxJsonBodyBytes is < 1024 or > 16L * 1024 * 1024) yield return new(nameof(MaxJsonBodyBytes), $"must be 1024-{16L * 1024 * 1024} bytes (got {MaxJsonBodyBytes})");
        if (MaxConcurrentUploads is < 1 or > 256) yield return new(nameof(MaxConcurrentUploads), $"must be 1-256 (got {MaxConcurrentUploads})");
        if (MaxPageSize is < 1 or > 10_000) yield return new(nameof(MaxPageSize), $"must be 1-10000 (got {MaxPageSize})");
        if (TokenTouchInterval < TimeSpan.Zero) yield return new(nameof(TokenTouchInterval), "must not be negative");
        foreach (var error in Jwt.Validate()) yield return error with { Key = $"{nameof(Jwt)}:{error.Key}" };
    }

    public IEnumerable<string> Endpoints() =>
        Jwt.Authority is { Length: > 0 } a && Uri.TryCreate(a, UriKind.Absolute, out var u) ? [u.Host] : [];
}

/// <summary>
/// Bus:Api:Jwt: accept JWTs from an institution's identity provider. Off unless <see cref="Authority"/>
/// or <see cref="SigningKeyFile"/> is set. The <see cref="EmailClaim"/> must name a registry user.
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The OpenID Connect issuer; its signing keys are read from its discovery document.</summary>
    public string? Authority { get; set; }
    public string? Audience { get; set; }
    /// <summary>Which claim holds the user's email (default <c>email</c>).</summary>
    public string EmailClaim { get; set; } = "email";
    /// <summary>Instead of discovery: a PEM file with the issuer's RSA public key (offline installs, tests).</summary>
    public string? SigningKeyFile { get; set; }
    /// <summary>With <see cref="SigningKeyFile"/>: the issuer the tokens must name.</summary>
    public string? Issuer { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKeyFile);

    public IEnumerable<OptionError> Validate()
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(Audience)) yield return new(nameof(Audience), "is required when JWT bearer is on (Authority or SigningKeyFile set)");
        if (string.IsNullOrWhiteSpace(EmailClaim)) yield return new(nameof(EmailClaim), "must name a claim");
        if (!string.IsNullOrWhiteSpace(Authority) && (!Uri.TryCreate(Authority, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http")))
            yield return new(nameof(Authority), $"must be an absolute URL (got '{Authority}')");
        if (!string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            if (!File.Exists(SigningKeyFile)) yield return new(nameof(SigningKeyFile), $"no such file '{SigningKeyFile}'");
            if (string.IsNullOrWhiteSpace(Issuer) && string.IsNullOrWhiteSpace(Authority)) yield return new(nameof(Issuer), "is required with SigningKeyFile");
        }
    }
}
