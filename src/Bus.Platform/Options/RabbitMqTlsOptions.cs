using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bus.Platform.Options;

/// <summary>
/// TLS to RabbitMQ (<c>Bus:RabbitMq:Tls</c>), for AMQP and the management API alike (docs/security.md). The server's
/// certificate must chain to <see cref="CaFile"/> (or, without it, to the system's trusted roots) and name
/// <see cref="ServerName"/> (default: <c>Bus:RabbitMq:Host</c>).
/// </summary>
public sealed class RabbitMqTlsOptions
{
    public bool Enabled { get; set; }
    /// <summary>The name the server's certificate must carry; empty means <c>Bus:RabbitMq:Host</c>.</summary>
    public string? ServerName { get; set; }
    /// <summary>PEM (or DER) file of the CA(s) that issued the server's certificate; empty trusts the system's roots.</summary>
    public string? CaFile { get; set; }
    /// <summary>Optional client certificate with its private key (PKCS#12, .p12/.pfx), for servers that ask for one.</summary>
    public string? ClientCertificateFile { get; set; }
    public string? ClientCertificatePassword { get; set; }
    /// <summary>Management API over https; unset follows <see cref="Enabled"/>.</summary>
    public bool? ManagementHttps { get; set; }

    /// <summary>The usual amqps and plain AMQP ports, to catch a port that contradicts <see cref="Enabled"/>.</summary>
    public const int AmqpsPort = 5671, AmqpPort = 5672;

    internal IEnumerable<OptionError> Validate(int port)
    {
        if (!Enabled)
        {
            foreach (var (key, value) in new[] { (nameof(CaFile), CaFile), (nameof(ClientCertificateFile), ClientCertificateFile), (nameof(ServerName), ServerName) })
                if (!string.IsNullOrWhiteSpace(value))
                    yield return new($"Tls:{key}", "is set but Bus:RabbitMq:Tls:Enabled is false: the connection would not use TLS; set Enabled=true or remove it");
            if (port == AmqpsPort)
                yield return new("Port", $"{AmqpsPort} is the amqps (TLS) port but Bus:RabbitMq:Tls:Enabled is false: set Tls:Enabled=true or use the plain AMQP port");
            yield break;
        }
        if (port == AmqpPort)
            yield return new("Port", $"{AmqpPort} is the plain AMQP port but Bus:RabbitMq:Tls:Enabled is true: RabbitMQ listens for amqps on {AmqpsPort} by default");
        if (!string.IsNullOrWhiteSpace(CaFile) && CertificateFiles.ReadCertificatesProblem(CaFile) is { } ca)
            yield return new("Tls:CaFile", ca);
        if (!string.IsNullOrWhiteSpace(ClientCertificateFile) && ClientCertificateProblem() is { } client)
            yield return new("Tls:ClientCertificateFile", client);
        if (string.IsNullOrWhiteSpace(ClientCertificateFile) && !string.IsNullOrEmpty(ClientCertificatePassword))
            yield return new("Tls:ClientCertificatePassword", "is set without Tls:ClientCertificateFile");
    }

    private string? ClientCertificateProblem()
    {
        if (CertificateFiles.ReadableProblem(ClientCertificateFile!) is { } unreadable) return unreadable;
        try
        {
            using var certificate = LoadClientCertificate()!;
            return certificate.HasPrivateKey ? null : $"'{ClientCertificateFile}' holds no private key (give a PKCS#12 file with the key)";
        }
        catch (CryptographicException e)
        {
            return $"'{ClientCertificateFile}' is not a PKCS#12 file this password opens (Tls:ClientCertificatePassword): {e.Message}";
        }
    }

    public X509Certificate2? LoadClientCertificate() =>
        string.IsNullOrWhiteSpace(ClientCertificateFile) ? null
            : X509CertificateLoader.LoadPkcs12FromFile(ClientCertificateFile, ClientCertificatePassword);
}
