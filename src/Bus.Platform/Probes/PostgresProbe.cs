using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Platform.Probes;

public sealed class PostgresProbe(IOptions<PostgresOptions> options) : IComponentProbe
{
    public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Timeout = 5, Pooling = false };
        var endpoint = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "select current_setting('server_version'), count(*) filter (where nspname in ('bus','registry')) from pg_namespace", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var version = reader.GetString(0);
            var schemas = reader.GetInt64(1);
            return [new ProbeResult("postgres", endpoint, true,
                schemas == 2 ? $"PostgreSQL {version}" : $"PostgreSQL {version}; schemas bus/registry not both present (run busctl db migrate)")];
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return [new ProbeResult("postgres", endpoint, false, ProbeErrors.Describe(e))];
        }
    }
}
