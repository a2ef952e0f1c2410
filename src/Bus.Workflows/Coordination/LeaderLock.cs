using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Bus.Workflows.Coordination;

/// <summary>
/// One host of many leads a periodic job (telemetry gauges, the saga watchdog, the spot test sweep) while it holds a
/// PostgreSQL session advisory lock on a connection of its own: the lock dies with the connection, so a crashed or
/// disconnected leader frees it for another host without any lease to expire.
/// </summary>
public static class LeaderLock
{
    /// <summary>The lock key for a job's name (include the virtual host when each vhost has its own leader).</summary>
    public static long Key(string job) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(job)), 0);

    /// <summary>The connection holding the lock, or null when another host holds it.</summary>
    public static async Task<NpgsqlConnection?> TryTakeAsync(NpgsqlDataSource dataSource, long key, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            take.Parameters.AddWithValue("key", key);
            if (await take.ExecuteScalarAsync(cancellationToken) is true) return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Unlocks and closes; a connection already gone took its lock with it.</summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, long key)
    {
        try
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", key);
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException) { /* the connection is gone, and its lock with it */ }
        await connection.DisposeAsync();
    }
}
