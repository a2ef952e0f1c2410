using System.Security.Authentication;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Npgsql;

namespace Bus.IntegrationTests.Platform.Tls;

/// <summary>
/// TLS to PostgreSQL is what the connection string says (docs/security.md), through the shared data source every
/// host uses: VerifyFull with the CA as Root Certificate is encrypted and verified; a foreign CA or a name the
/// certificate does not carry is refused; clear text never reaches a TLS-only server.
/// </summary>
[Collection(TlsServersCollection.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class When_postgres_is_reached_over_tls(TlsServers servers)
{
    [Fact]
    public async Task Verify_full_with_the_ca_connects_encrypted()
    {
        var connectionString = servers.Postgres("localhost", $"SSL Mode=VerifyFull;Root Certificate={servers.CaFile}");
        Assert.Empty(BusOptionsValidator<PostgresOptions>.Check(
            new PostgresOptions { ConnectionString = connectionString, MigrationConnectionString = servers.Postgres("localhost", "Username=owner") }, "Test"));
        await using var dataSource = BusDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.StartsWith("TLSv1.", reader.GetString(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(servers.Postgres("localhost", $"SSL Mode=VerifyFull;Root Certificate={servers.OtherCaFile}")));
        Assert.IsType<AuthenticationException>(e.InnerException ?? e);
    }

    [Fact]
    public async Task A_host_name_the_certificate_does_not_carry_is_refused_by_verify_full_only()
    {
        // The certificate names localhost, not 127.0.0.1: VerifyCA checks the chain only, VerifyFull the name too.
        await OpenAsync(servers.Postgres("127.0.0.1", $"SSL Mode=VerifyCA;Root Certificate={servers.CaFile}"));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(servers.Postgres("127.0.0.1", $"SSL Mode=VerifyFull;Root Certificate={servers.CaFile}")));
        Assert.IsType<AuthenticationException>(e.InnerException ?? e);
    }

    [Fact]
    public async Task Clear_text_is_refused_by_a_tls_only_server()
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(servers.Postgres("localhost", "SSL Mode=Disable")));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, e.SqlState);
    }

    private static async Task OpenAsync(string connectionString)
    {
        await using var dataSource = BusDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
    }
}
