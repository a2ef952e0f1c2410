using Bus.Deletion.Migrations;
using Bus.IntegrationTests.Registry;
using Npgsql;

namespace Bus.IntegrationTests.Deletion;

/// <summary>
/// Migration OneOpenDeletionPerObject on a database that met the race it fixes: two open requests for one object. The
/// shared bus schema is never migrated down (other tests use it) and the roles may not create a database, so the
/// migration's SQL runs on copies of its tables (columns and defaults of bus.deletion_requests, bus.item_locks and
/// bus.saga_transitions as migrated) in a throwaway schema, as the registry's "from empty" test does.
/// </summary>
public sealed class When_an_upgrade_meets_duplicate_open_deletions
{
    [Fact]
    public async Task The_most_advanced_open_request_stays_the_others_are_cancelled_as_superseded_and_the_index_is_built()
    {
        var schema = $"deletion_test_{Guid.NewGuid():N}"[..30];
        await using var connection = await RegistryTestDatabase.OpenOwnerAsync();
        try
        {
            await ExecAsync(connection, $"""
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.deletion_requests (LIKE bus.deletion_requests INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                CREATE TABLE {schema}.item_locks (LIKE bus.item_locks INCLUDING ALL);
                CREATE TABLE {schema}.saga_transitions (LIKE bus.saga_transitions INCLUDING ALL);
                """);
            // The oldest is still pending; a younger duplicate was approved and is deleting under the item lock: it stays.
            var oldest = await RequestAsync(connection, schema, "test.edu/raced", "PendingApproval", TimeSpan.FromMinutes(10));
            var deleting = await RequestAsync(connection, schema, "test.edu/raced", "Deleting", TimeSpan.FromMinutes(9));
            var duplicate = await RequestAsync(connection, schema, "test.edu/raced", "WaitingForItem", TimeSpan.FromMinutes(8));
            var pendingTwice = await RequestAsync(connection, schema, "test.edu/pending", "PendingApproval", TimeSpan.FromMinutes(7));
            var pendingLater = await RequestAsync(connection, schema, "test.edu/pending", "PendingApproval", TimeSpan.FromMinutes(6));
            var ended = await RequestAsync(connection, schema, "test.edu/raced", "Completed", TimeSpan.FromDays(1));
            var other = await RequestAsync(connection, schema, "test.edu/other", "Deleting", TimeSpan.FromMinutes(1));
            await ExecAsync(connection, $"INSERT INTO {schema}.item_locks (object_identifier, kind, owner) VALUES ('test.edu/raced', 'deletion', '{deleting}')");

            await ExecAsync(connection, OneOpenDeletionPerObject.UpSql(schema));
            await ExecAsync(connection, OneOpenDeletionPerObject.UpSql(schema)); // a second run (an applied database) changes nothing

            var rows = await QueryAsync(connection, $"SELECT correlation_id, current_state, coalesce(decision_comment, '') FROM {schema}.deletion_requests",
                r => (r.GetGuid(0), (r.GetString(1), r.GetString(2))));
            var states = rows.ToDictionary(r => r.Item1, r => r.Item2);
            Assert.Equal(("Deleting", ""), states[deleting]);
            Assert.Equal(("Cancelled", OneOpenDeletionPerObject.SupersededComment), states[oldest]);
            Assert.Equal(("Cancelled", OneOpenDeletionPerObject.SupersededComment), states[duplicate]);
            Assert.Equal(("PendingApproval", ""), states[pendingTwice]);
            Assert.Equal(("Cancelled", OneOpenDeletionPerObject.SupersededComment), states[pendingLater]);
            Assert.Equal(("Completed", ""), states[ended]);
            Assert.Equal(("Deleting", ""), states[other]);
            Assert.Equal([("WaitingForItem", "Cancelled")], await QueryAsync(connection,
                $"SELECT from_state, to_state FROM {schema}.saga_transitions WHERE correlation_id = '{duplicate}'", r => (r.GetString(0), r.GetString(1))));
            Assert.Equal([deleting], await QueryAsync(connection, $"SELECT owner FROM {schema}.item_locks", r => r.GetGuid(0)));
            Assert.Single(await QueryAsync(connection,
                $"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}' AND indexname = '{OneOpenDeletionPerObject.IndexName}'", r => r.GetString(0)));
        }
        finally
        {
            await ExecAsync(connection, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static async Task<Guid> RequestAsync(NpgsqlConnection connection, string schema, string objectIdentifier, string state, TimeSpan requestedAgo)
    {
        var id = Guid.NewGuid();
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {schema}.deletion_requests (correlation_id, current_state, identifier, object_identifier, institution, is_file,
                requested_by, reason, requested_at, copies_removed, refusal_log)
            VALUES (@id, @state, @object, @object, 'test.edu', false, 'test', 'test', now() - @ago, 0, '')
            """, connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("object", objectIdentifier);
        command.Parameters.AddWithValue("ago", requestedAgo);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }
}
