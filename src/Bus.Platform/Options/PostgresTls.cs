using Npgsql;

namespace Bus.Platform.Options;

/// <summary>
/// TLS to PostgreSQL is set in the connection strings (<c>SSL Mode</c>, <c>Root Certificate</c>, <c>SSL Certificate</c>,
/// <c>SSL Key</c>, as Npgsql reads them). Checked at start-up: every file named must be readable (a certificate must
/// parse), and in Production a server that is not on loopback must be reached with <c>SSL Mode</c> Require or
/// stricter (Disable, Allow and Prefer would all talk in clear text to a server, or a man in the middle, that offers no TLS).
/// </summary>
public static class PostgresTls
{
    public static IEnumerable<OptionError> FileProblems(string key, NpgsqlConnectionStringBuilder b)
    {
        if (!string.IsNullOrWhiteSpace(b.RootCertificate) && CertificateFiles.ReadCertificatesProblem(b.RootCertificate) is { } root)
            yield return new(key, $"Root Certificate {root}");
        if (!string.IsNullOrWhiteSpace(b.SslCertificate) && CertificateFiles.ReadCertificatesProblem(b.SslCertificate) is { } cert)
            yield return new(key, $"SSL Certificate {cert}");
        if (!string.IsNullOrWhiteSpace(b.SslKey) && CertificateFiles.ReadableProblem(b.SslKey) is { } keyFile)
            yield return new(key, $"SSL Key {keyFile}");
    }

    public static IEnumerable<OptionError> ClearTextProblems(string key, string connectionString)
    {
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connectionString); } catch (ArgumentException) { yield break; }
        if (b.SslMode is SslMode.Require or SslMode.VerifyCA or SslMode.VerifyFull) yield break;
        foreach (var host in PostgresOptions.HostsOf(connectionString))
            if (!host.StartsWith('/') && !BusOptionsValidator<PostgresOptions>.IsLoopback(host))
                yield return new(key, $"reaches '{host}' with SSL Mode={b.SslMode}, which may talk in clear text: Production requires " +
                    "SSL Mode=VerifyFull (with Root Certificate for a private CA) or at least Require for a server that is not on loopback (docs/security.md)");
    }
}
