using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bus.Platform.Options;

/// <summary>Start-up checks of certificate and key files named in options: the error says which file and why.</summary>
public static class CertificateFiles
{
    /// <summary>Null when <paramref name="path"/> can be opened for reading, else why not.</summary>
    public static string? ReadableProblem(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"'{path}' cannot be read: {e.Message}";
        }
    }

    /// <summary>Null when <paramref name="path"/> holds at least one certificate (PEM or DER), else why not.</summary>
    public static string? ReadCertificatesProblem(string path)
    {
        if (ReadableProblem(path) is { } unreadable) return unreadable;
        try { return LoadCertificates(path).Count == 0 ? $"'{path}' holds no certificate" : null; }
        catch (CryptographicException e) { return $"'{path}' is not a PEM or DER certificate: {e.Message}"; }
    }

    public static X509Certificate2Collection LoadCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        var text = File.ReadAllText(path);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)) certificates.ImportFromPemFile(path);
        else certificates.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        return certificates;
    }
}
