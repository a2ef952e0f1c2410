using System.Data.Common;
using Npgsql;

namespace Bus.Persistence.Database;

/// <summary>
/// The process's data source for messaging state. Two settings beyond the connection string:
/// <list type="bullet">
/// <item>automatic preparation (64 statements per connection unless the connection string sets
/// <c>Max Auto Prepare</c>): the inbox claim, saga lock, update and outbox inserts repeat per message,
/// and prepared they skip parsing and planning on the server;</item>
/// <item><c>Include Failed Batched Command</c>, so a failed checked write in a commit batch is reported
/// as the exception its writer asked for (<see cref="Transactions.MessageTransaction"/>).</item>
/// </list>
/// Queries select explicit columns, so a prepared statement survives a migration that adds one.
/// </summary>
internal static class PersistenceDataSource
{
    private const int DefaultMaxAutoPrepare = 64;

    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
        if (!SetsKey(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        return builder.Build();
    }

    private static bool SetsKey(string connectionString, params string[] keys)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keys.Any(parsed.ContainsKey);
    }
}
