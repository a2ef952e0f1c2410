using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Authentication;
using Bus.Platform.Messaging;
using Bus.Platform.Options;

namespace Bus.Tests.Platform;

public sealed class When_tls_and_database_roles_are_configured : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bus-tls-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<string> Check<T>(T options, string environment = "Development") where T : class, IBusOptions =>
        BusOptionsValidator<T>.Check(options, environment).ToList();

    [Fact]
    public void Migrations_and_hosts_must_use_two_roles_of_one_database()
    {
        Assert.Contains(Check(new PostgresOptions { MigrationConnectionString = "Host=127.0.0.1;Database=bus;Username=bus;Password=x" }),
            e => e.StartsWith("Bus:Postgres:MigrationConnectionString uses the runtime role 'bus'", StringComparison.Ordinal));
        Assert.Contains(Check(new PostgresOptions { MigrationConnectionString = "Host=127.0.0.1;Database=other;Username=bus_owner;Password=x" }),
            e => e.StartsWith("Bus:Postgres:MigrationConnectionString names database 'other'", StringComparison.Ordinal));
        Assert.Equal("bus", new PostgresOptions().RuntimeRole);
    }

    [Fact]
    public void Production_refuses_the_owners_default_password_where_it_is_used()
    {
        var real = "Host=127.0.0.1;Database=bus;Username=bus;Password=s3cr3t-long";
        // A host that does not migrate never needs the owner's secret.
        Assert.Empty(Check(new PostgresOptions { ConnectionString = real }, "Production"));
        Assert.Equal(["Bus:Postgres:MigrationConnectionString Password is a default password: set a real secret in Production (or DOTNET_ENVIRONMENT=Development for the local stack)"],
            Check(new PostgresOptions { ConnectionString = real, MigrateAtStartup = true }, "Production"));
        Assert.StartsWith("Bus:Postgres:MigrationConnectionString Password is a default password",
            Assert.Single(BusOptionsValidator<PostgresOptions>.RefusedSecrets(PostgresOptions.Section, new PostgresOptions().MigrationSecrets())));
    }

    [Theory]
    [InlineData("Disable")]
    [InlineData("Allow")]
    [InlineData("Prefer")]
    public void Production_refuses_clear_text_to_a_remote_postgres(string mode)
    {
        var options = new PostgresOptions { ConnectionString = $"Host=db.example.org;Database=bus;Username=bus;Password=s3cr3t-long;SSL Mode={mode}" };
        Assert.StartsWith($"Bus:Postgres:ConnectionString reaches 'db.example.org' with SSL Mode={mode}", Assert.Single(Check(options, "Production")));
        Assert.Empty(Check(options));
    }

    [Fact]
    public void Production_accepts_verified_tls_to_a_remote_postgres_and_clear_text_on_loopback()
    {
        Assert.Empty(Check(new PostgresOptions { ConnectionString = "Host=db.example.org;Database=bus;Username=bus;Password=s3cr3t-long;SSL Mode=VerifyFull" }, "Production"));
        Assert.Empty(Check(new PostgresOptions { ConnectionString = "Host=127.0.0.1;Database=bus;Username=bus;Password=s3cr3t-long;SSL Mode=Disable" }, "Production"));
    }

    [Fact]
    public void A_postgres_root_certificate_that_cannot_be_read_is_named()
    {
        var missing = Path.Combine(_dir, "missing.pem");
        Assert.Equal([$"Bus:Postgres:ConnectionString Root Certificate '{missing}' cannot be read: Could not find file '{missing}'."],
            Check(new PostgresOptions { ConnectionString = $"Host=127.0.0.1;Database=bus;Username=bus;Password=x;SSL Mode=VerifyFull;Root Certificate={missing}" }));
        var garbage = Write("garbage.pem", "not a certificate");
        Assert.StartsWith($"Bus:Postgres:MigrationConnectionString Root Certificate '{garbage}' is not a PEM or DER certificate",
            Assert.Single(Check(new PostgresOptions { MigrationConnectionString = $"Host=127.0.0.1;Database=bus;Username=bus_owner;Password=x;Root Certificate={garbage}" })));
    }

    [Fact]
    public void A_rabbitmq_port_that_contradicts_tls_is_refused()
    {
        Assert.Equal(["Bus:RabbitMq:Port 5672 is the plain AMQP port but Bus:RabbitMq:Tls:Enabled is true: RabbitMQ listens for amqps on 5671 by default"],
            Check(new RabbitMqOptions { Port = 5672, Tls = new() { Enabled = true } }));
        Assert.StartsWith("Bus:RabbitMq:Port 5671 is the amqps (TLS) port but Bus:RabbitMq:Tls:Enabled is false", Assert.Single(Check(new RabbitMqOptions { Port = 5671 })));
        Assert.StartsWith("Bus:RabbitMq:Tls:CaFile is set but Bus:RabbitMq:Tls:Enabled is false",
            Assert.Single(Check(new RabbitMqOptions { Tls = new() { CaFile = "/etc/ssl/ca.pem" } })));
    }

    [Fact]
    public void A_rabbitmq_ca_or_client_certificate_that_cannot_be_used_is_named()
    {
        var missing = Path.Combine(_dir, "nope.pem");
        Assert.Equal([$"Bus:RabbitMq:Tls:CaFile '{missing}' cannot be read: Could not find file '{missing}'."],
            Check(new RabbitMqOptions { Port = 5671, Tls = new() { Enabled = true, CaFile = missing } }));
        using var ca = Ca();
        var caFile = Write("ca.pem", ca.ExportCertificatePem());
        var noKey = Write("client.pem", ca.ExportCertificatePem());
        Assert.StartsWith($"Bus:RabbitMq:Tls:ClientCertificateFile '{noKey}' is not a PKCS#12 file",
            Assert.Single(Check(new RabbitMqOptions { Port = 5671, Tls = new() { Enabled = true, CaFile = caFile, ClientCertificateFile = noKey } })));
        var p12 = Path.Combine(_dir, "client.p12");
        File.WriteAllBytes(p12, ca.Export(X509ContentType.Pkcs12, "pw"));
        Assert.StartsWith($"Bus:RabbitMq:Tls:ClientCertificateFile '{p12}' is not a PKCS#12 file this password opens",
            Assert.Single(Check(new RabbitMqOptions { Port = 5671, Tls = new() { Enabled = true, ClientCertificateFile = p12, ClientCertificatePassword = "wrong" } })));
        Assert.Empty(Check(new RabbitMqOptions { Port = 5671, Tls = new() { Enabled = true, CaFile = caFile, ClientCertificateFile = p12, ClientCertificatePassword = "pw" } }));
    }

    [Fact]
    public void The_connection_factory_and_management_uri_carry_the_tls_settings()
    {
        using var ca = Ca();
        var p12 = Path.Combine(_dir, "client.p12");
        File.WriteAllBytes(p12, ca.Export(X509ContentType.Pkcs12, "pw"));
        var options = new RabbitMqOptions
        {
            Host = "10.0.0.5", Port = 5671, ManagementPort = 15671,
            Tls = new() { Enabled = true, ServerName = "rabbit.example.org", CaFile = Write("ca.pem", ca.ExportCertificatePem()), ClientCertificateFile = p12, ClientCertificatePassword = "pw" },
        };
        var factory = RabbitMqTls.ConnectionFactory(options, "test");
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("rabbit.example.org", factory.Ssl.ServerName);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, factory.Ssl.Version);
        Assert.NotNull(factory.Ssl.CertificateValidationCallback);
        Assert.Equal(ca.Thumbprint, Assert.Single(factory.Ssl.Certs!.Cast<X509Certificate>()).GetCertHashString());
        Assert.Equal(("10.0.0.5", 5671), (factory.HostName, factory.Port));
        Assert.Equal(new Uri("amqps://10.0.0.5:5671/bus"), options.AmqpUri);
        Assert.Equal(new Uri("https://10.0.0.5:15671/"), options.ManagementUri);
        Assert.False(RabbitMqTls.ConnectionFactory(new RabbitMqOptions(), "test").Ssl.Enabled);
        Assert.Equal("http", new RabbitMqOptions().ManagementUri.Scheme);
    }

    [Fact]
    public void The_server_certificate_must_chain_to_the_configured_ca_and_name_the_server()
    {
        using var ca = Ca();
        using var server = Issue(ca, "rabbit.example.org");
        using var stranger = Ca();
        using var forged = Issue(stranger, "rabbit.example.org");
        var validate = RabbitMqTls.ServerCertificateValidator(new RabbitMqTlsOptions { Enabled = true, CaFile = Write("ca.pem", ca.ExportCertificatePem()) });
        Assert.True(validate(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, forged, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, server, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(validate(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static X509Certificate2 Ca()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Bus test CA " + Guid.NewGuid().ToString("N")[..8], key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), Guid.NewGuid().ToByteArray()[..8]);
    }
}
