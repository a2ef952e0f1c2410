using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Platform.Tls;

[CollectionDefinition(Collection)]
public sealed class TlsServersCollection : ICollectionFixture<TlsServers>
{
    public const string Collection = "tls-servers";
}

/// <summary>
/// A throwaway CA, a server certificate it issued for <c>localhost</c> only (so connecting to 127.0.0.1 is a name
/// mismatch), a second CA that issued nothing the servers present, and servers of the tests' own on free ports, both
/// started at once and stopped by their PIDs at the end: a PostgreSQL (initdb in a temporary folder, <c>ssl=on</c>,
/// TLS-only pg_hba; about two seconds) and a RabbitMQ node with only a TLS listener (vhost and user <c>bus</c>; about
/// six to ten seconds, Erlang's boot). The shared stack's servers are never touched.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsServers : IAsyncLifetime
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private static readonly bool IsRoot = Environment.UserName == "root";

    public string Folder { get; } = Directory.CreateTempSubdirectory("bus-tls-").FullName;
    public string CaFile => Path.Combine(Folder, "ca.pem");
    public string OtherCaFile => Path.Combine(Folder, "other-ca.pem");
    public int PostgresPort { get; } = FreePort.Next();
    public const string PostgresPassword = "tls-test-password";
    private string PgData => Path.Combine(Folder, "pgdata");
    public int RabbitPort { get; } = FreePort.Next();
    private readonly int _rabbitDistPort = FreePort.Next();
    private string RabbitFolder => Path.Combine(Folder, "rabbitmq");
    private ExternalProcess? _rabbit;

    /// <summary>An Npgsql connection string to the TLS-only PostgreSQL, with <paramref name="extra"/> appended.</summary>
    public string Postgres(string host, string extra) =>
        $"Host={host};Port={PostgresPort};Database=postgres;Username=postgres;Password={PostgresPassword};Pooling=false;Timeout=5;{extra}";

    public async Task InitializeAsync()
    {
        using var ca = CreateCa("Bus TLS test CA");
        using var other = CreateCa("Bus TLS test other CA");
        await File.WriteAllTextAsync(CaFile, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(OtherCaFile, other.ExportCertificatePem());
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = Issue(ca, serverKey, "localhost");
        await File.WriteAllTextAsync(Path.Combine(Folder, "server.crt"), server.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(Folder, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(Folder, "pwfile"), PostgresPassword);
        File.SetUnixFileMode(Path.Combine(Folder, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // PostgreSQL refuses to run as root: the folder goes to the postgres user, which runs initdb and the server.
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        if (IsRoot) await RunAsync("chown", "-R", "postgres:postgres", Folder);

        await Task.WhenAll(StartPostgresAsync(), StartRabbitMqAsync());
    }

    private async Task StartPostgresAsync()
    {
        await RunAsPostgresAsync($"{PgBin}/initdb", "-D", PgData, "-U", "postgres", $"--pwfile={Path.Combine(Folder, "pwfile")}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync");
        // TLS only: a clear-text connection finds no pg_hba line and is refused.
        await File.WriteAllTextAsync(Path.Combine(PgData, "pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n");
        if (IsRoot) await RunAsync("chown", "postgres:postgres", Path.Combine(PgData, "pg_hba.conf"));
        await RunAsPostgresAsync($"{PgBin}/pg_ctl", "-D", PgData, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "30", "-o",
            $"-p {PostgresPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories={Folder} -c ssl=on " +
            $"-c ssl_cert_file={Path.Combine(Folder, "server.crt")} -c ssl_key_file={Path.Combine(Folder, "server.key")} -c fsync=off -c max_connections=20",
            "start");
    }

    private async Task StartRabbitMqAsync()
    {
        Directory.CreateDirectory(Path.Combine(RabbitFolder, "home"));
        await File.WriteAllTextAsync(Path.Combine(RabbitFolder, "home", ".erlang.cookie"), "BUSTLSTESTCOOKIE" + Guid.NewGuid().ToString("N"));
        File.SetUnixFileMode(Path.Combine(RabbitFolder, "home", ".erlang.cookie"), UnixFileMode.UserRead);
        await File.WriteAllTextAsync(Path.Combine(RabbitFolder, "rabbitmq.conf"), $"""
            listeners.tcp = none
            listeners.ssl.1 = 127.0.0.1:{RabbitPort}
            ssl_options.cacertfile = {CaFile}
            ssl_options.certfile = {Path.Combine(Folder, "server.crt")}
            ssl_options.keyfile = {Path.Combine(Folder, "server.key")}
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            loopback_users = none
            default_user = bus
            default_pass = bus
            default_vhost = bus
            log.console = false
            log.file.level = warning
            """);
        await File.WriteAllTextAsync(Path.Combine(RabbitFolder, "enabled_plugins"), "[].");
        _rabbit = ExternalProcess.Start("/usr/lib/rabbitmq/bin/rabbitmq-server", [], new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(RabbitFolder, "home"),
            ["RABBITMQ_NODENAME"] = $"bustls{Environment.ProcessId}@localhost",
            ["RABBITMQ_DIST_PORT"] = _rabbitDistPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(RabbitFolder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(RabbitFolder, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(RabbitFolder, "rabbitmq"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(RabbitFolder, "enabled_plugins"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(RabbitFolder, "advanced"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(RabbitFolder, "rabbit.pid"),
        });
        // The node accepts TLS connections once its listener is open: poll the port, never sleep a guess.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_rabbit.HasExited) throw new InvalidOperationException($"rabbitmq-server exited {_rabbit.ExitCode}: {_rabbit.Stdout}{_rabbit.Stderr}");
            using var client = new System.Net.Sockets.TcpClient();
            try
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, RabbitPort);
                return;
            }
            catch (System.Net.Sockets.SocketException) { await Task.Delay(100); }
        }
        throw new TimeoutException($"RabbitMQ's TLS listener on {RabbitPort} did not open in 60 s: {_rabbit.Stdout}");
    }

    public async Task DisposeAsync()
    {
        // The node's own PID (beam), from the PID file it writes; its start script exits with it.
        var rabbitPidFile = Path.Combine(RabbitFolder, "rabbit.pid");
        int? beam = File.Exists(rabbitPidFile) && int.TryParse((await File.ReadAllTextAsync(rabbitPidFile)).Trim(), out var pid) ? pid : null;
        if (beam is { } node) Posix.Kill(node, Posix.SigTerm);
        if (_rabbit is not null)
        {
            try { await _rabbit.WaitForExitAsync(TimeSpan.FromSeconds(20)); }
            catch (TimeoutException)
            {
                if (beam is { } stuck) Posix.Kill(stuck, Posix.SigKill);
                Posix.Kill(_rabbit.Id, Posix.SigKill);
            }
            await _rabbit.DisposeAsync();
        }

        var pidFile = Path.Combine(PgData, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllLinesAsync(pidFile))[0], out var postmaster))
        {
            Posix.Kill(postmaster, 2); // SIGINT: PostgreSQL's fast shutdown
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (File.Exists(pidFile) && DateTime.UtcNow < deadline) await Task.Delay(50);
            if (File.Exists(pidFile)) Posix.Kill(postmaster, Posix.SigKill);
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static Task RunAsPostgresAsync(string executable, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. args]) : RunAsync(executable, args);

    private static async Task RunAsync(string executable, params string[] args)
    {
        await using var process = await ExternalProcess.RunAsync(executable, args, timeout: TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{executable} {string.Join(' ', args)} exited {process.ExitCode}: {process.Stderr}{process.Stdout}");
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} {Guid.NewGuid():N}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa key, string dnsName)
    {
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        return request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
    }
}
