using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Bus.Platform.Options;
using MassTransit;
using RabbitMQ.Client;

namespace Bus.Platform.Messaging;

/// <summary>
/// <c>Bus:RabbitMq:Tls</c> applied the same way to every way Bus reaches RabbitMQ: MassTransit's bus
/// (<see cref="Configure"/>), plain RabbitMQ.Client connections of probes and operator commands
/// (<see cref="ConnectionFactory"/>) and the management API (<see cref="ManagementHandler"/>).
/// </summary>
public static class RabbitMqTls
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>A connection factory for <paramref name="o"/>'s server, user and vhost, over TLS when enabled.</summary>
    public static ConnectionFactory ConnectionFactory(RabbitMqOptions o, string clientName) => new()
    {
        HostName = o.Host, Port = o.Port, VirtualHost = o.VirtualHost, UserName = o.Username, Password = o.Password,
        ClientProvidedName = clientName,
        Ssl = SslOption(o),
    };

    public static SslOption SslOption(RabbitMqOptions o)
    {
        if (!o.Tls.Enabled) return new SslOption { Enabled = false };
        var option = new SslOption
        {
            Enabled = true,
            ServerName = o.TlsServerName,
            Version = Protocols,
            CertificateValidationCallback = ServerCertificateValidator(o.Tls),
        };
        if (o.Tls.LoadClientCertificate() is { } client) option.Certs = new X509CertificateCollection { client };
        return option;
    }

    /// <summary>MassTransit's host settings for TLS (nothing when disabled).</summary>
    public static void Configure(IRabbitMqHostConfigurator host, RabbitMqOptions o)
    {
        if (!o.Tls.Enabled) return;
        host.UseSsl(s =>
        {
            s.ServerName = o.TlsServerName;
            s.Protocol = Protocols;
            s.CertificateValidationCallback = ServerCertificateValidator(o.Tls);
            if (o.Tls.LoadClientCertificate() is { } client) s.Certificate = client;
        });
    }

    /// <summary>An HTTP handler for the management API that trusts <c>Tls:CaFile</c> when it is set.</summary>
    public static HttpMessageHandler ManagementHandler(RabbitMqOptions o)
    {
        var handler = new SocketsHttpHandler();
        if (o.Tls.ManagementHttps ?? o.Tls.Enabled)
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = o.TlsServerName,
                EnabledSslProtocols = Protocols,
                RemoteCertificateValidationCallback = ServerCertificateValidator(o.Tls),
            };
        return handler;
    }

    /// <summary>
    /// The server's certificate must name the server and chain to <c>Tls:CaFile</c> (only to it: the system's roots are
    /// not consulted then) or, without a CA file, pass the system's usual checks.
    /// </summary>
    public static RemoteCertificateValidationCallback ServerCertificateValidator(RabbitMqTlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CaFile)) return (_, _, _, errors) => errors == SslPolicyErrors.None;
        var roots = CertificateFiles.LoadCertificates(tls.CaFile);
        return (_, certificate, presentedChain, errors) =>
        {
            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presentedChain is not null)
                foreach (var element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }
}
