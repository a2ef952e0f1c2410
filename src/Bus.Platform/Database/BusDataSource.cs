using System.Diagnostics;
using System.Data.Common;
using Bus.Platform.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Platform.Database;

/// <summary>
/// The process's one data source for Bus's database (messaging state, saga rows, interim tables, item
/// locks, the fixity ledger, operations): one pool of connections, not one per module. Two settings
/// beyond the connection string:
/// <list type="bullet">
/// <item>automatic preparation (64 statements per connection unless the connection string sets
/// <c>Max Auto Prepare</c>): the inbox claim, saga lock, update and outbox inserts repeat per message,
/// and prepared they skip parsing and planning on the server;</item>
/// <item><c>Include Failed Batched Command</c>, so a failed checked write in a commit batch is reported
/// as the exception its writer asked for (the message transaction in Bus.Persistence).</item>
/// </list>
/// Queries select explicit columns, so a prepared statement survives a migration that adds one.
/// </summary>
public static class BusDataSource
{
    private const int DefaultMaxAutoPrepare = 64;

    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
        if (!SetsKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        // Spans (when traces are exported) only for commands of a traced operation: the pollers' idle
        // queries would otherwise start a trace each, every second.
        builder.ConfigureTracing(t => t.ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
        return builder.Build();
    }

    /// <summary>Registers the shared <see cref="NpgsqlDataSource"/> (from <c>Bus:Postgres</c>) once, whichever module asks first.</summary>
    public static IServiceCollection AddBusDataSource(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        return services;
    }

    private static bool SetsKey(string connectionString, params string[] keys)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keys.Any(parsed.ContainsKey);
    }
}
