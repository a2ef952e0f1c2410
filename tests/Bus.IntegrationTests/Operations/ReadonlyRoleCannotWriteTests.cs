using Npgsql;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// A login that is only a member of bus_readonly reads the views, saga tables and history, and writes nothing;
/// it cannot read the working tables that hold bag text or bytes (ingest's interim rows and checkpoints), nor a
/// table created later in schema bus unless that table is granted to it.
/// </summary>
public class ReadonlyRoleCannotWriteTests
{
    [Fact]
    public async Task Bus_readonly_reads_and_cannot_write()
    {
        await using var rows = new SagaRows();
        var id = await rows.DeletionAsync("PendingApproval", TimeSpan.FromMinutes(1));
        await rows.TransitionAsync("DeletionState", id, null, "PendingApproval", TimeSpan.FromMinutes(1));
        // A throwaway LOGIN member, made by the owner role (it has CREATEROLE), so the test connects exactly as an admin would.
        var user = "ro_" + rows.Tag;
        var password = Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(SagaRows.OwnerConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE bus_readonly", admin);
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(SagaRows.ConnectionString) { Username = user, Password = password, Pooling = false };
            await using var reader = new NpgsqlConnection(builder.ConnectionString);
            await reader.OpenAsync();

            foreach (var read in new[]
                     {
                         "SELECT count(*) FROM bus.saga_status WHERE correlation_id = @id",
                         "SELECT count(*) FROM bus.saga_stuck(interval '0 seconds') WHERE correlation_id = @id",
                         "SELECT count(*) FROM bus.deletion_requests WHERE correlation_id = @id",
                         "SELECT count(*) FROM bus.saga_transitions WHERE correlation_id = @id",
                     })
            {
                await using var select = new NpgsqlCommand(read, reader);
                select.Parameters.AddWithValue("id", id);
                Assert.Equal(1L, (long)(await select.ExecuteScalarAsync())!);
            }
            await using (var stuckView = new NpgsqlCommand("SELECT count(*) FROM bus.saga_stuck", reader))
                Assert.NotNull(await stuckView.ExecuteScalarAsync());

            foreach (var write in new[]
                     {
                         "UPDATE bus.deletion_requests SET current_state = 'Completed' WHERE correlation_id = @id",
                         "DELETE FROM bus.saga_transitions WHERE correlation_id = @id",
                         "INSERT INTO bus.saga_transitions (saga_type, correlation_id, to_state, host) VALUES ('DeletionState', @id, 'Completed', 'ro')",
                         "DELETE FROM bus.fixity_check_saga WHERE correlation_id = @id",
                         "CREATE TABLE bus.readonly_probe (x int)",
                     })
            {
                await using var command = new NpgsqlCommand(write, reader);
                command.Parameters.AddWithValue("id", id);
                var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
            }

            foreach (var readable in new[] { "bus.ingest_saga", "bus.saga_status_ingest", "bus.item_locks" })
            {
                await using var select = new NpgsqlCommand($"SELECT count(*) FROM {readable}", reader);
                Assert.NotNull(await select.ExecuteScalarAsync());
            }
            await using (var admin = new NpgsqlConnection(SagaRows.OwnerConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE TABLE bus.ro_probe_{rows.Tag} (x int)", admin);
                await create.ExecuteNonQueryAsync();
            }
            foreach (var hidden in new[]
                     {
                         "bus.ingest_bags", "bus.ingest_files", "bus.ingest_unpack_checkpoints", "bus.copy_read_slices", "bus.ingest_copy_uploads",
                         "bus.outbox_message", "bus.inbox_state", "bus.scheduled_message", "bus.archived_error_messages", $"bus.ro_probe_{rows.Tag}",
                     })
            {
                await using var select = new NpgsqlCommand($"SELECT count(*) FROM {hidden}", reader);
                var e = await Assert.ThrowsAsync<PostgresException>(() => select.ExecuteScalarAsync());
                Assert.True(e.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{hidden}: {e.SqlState} {e.MessageText}");
            }

            var state = await rows.QueryAsync("SELECT current_state FROM bus.deletion_requests WHERE correlation_id = @id", ("id", id));
            Assert.Equal("PendingApproval", state.Single()["current_state"]);
            Assert.Single(await rows.QueryAsync("SELECT 1 FROM bus.saga_transitions WHERE correlation_id = @id", ("id", id)));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(SagaRows.OwnerConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS bus.ro_probe_{rows.Tag}; DROP ROLE IF EXISTS {user}", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
