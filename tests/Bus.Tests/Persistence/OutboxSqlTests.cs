using Bus.Persistence.Outbox;
using Npgsql;

namespace Bus.Tests.Persistence;

public sealed class OutboxSqlTests
{
    private static StoredMessage Message(DateTime? dueAt = null) => new()
    {
        MessageId = Guid.NewGuid(),
        DestinationAddress = new Uri("queue:somewhere"),
        ContentType = "application/vnd.masstransit+json",
        MessageType = "urn:message:X",
        Body = "{}",
        SentTime = DateTime.UtcNow,
        DueAt = dueAt,
        TokenId = Guid.NewGuid(),
    };

    [Fact]
    public void Should_write_messages_to_send_now_as_one_ordered_group()
    {
        using var batch = new NpgsqlBatch();
        var wroteGroup = OutboxSql.AddWrites(batch.BatchCommands, [Message(), Message(), Message()], Guid.NewGuid(), Guid.NewGuid(), "bus");

        Assert.True(wroteGroup);
        Assert.Equal(2, batch.BatchCommands.Count);
        Assert.StartsWith("INSERT INTO bus.outbox_state", batch.BatchCommands[0].CommandText);
        Assert.StartsWith("INSERT INTO bus.outbox_message", batch.BatchCommands[1].CommandText);
        // One multi-row insert: the identity column numbers the rows in send order.
        Assert.Equal(3, batch.BatchCommands[1].CommandText.Split("(@oid,").Length - 1);
    }

    [Fact]
    public void Should_write_delayed_messages_to_the_schedule_not_the_outbox()
    {
        using var batch = new NpgsqlBatch();
        var wroteGroup = OutboxSql.AddWrites(batch.BatchCommands, [Message(DateTime.UtcNow.AddMinutes(5))], null, null, "bus");

        Assert.False(wroteGroup);
        var command = Assert.Single(batch.BatchCommands.Cast<NpgsqlBatchCommand>());
        Assert.StartsWith("INSERT INTO bus.scheduled_message", command.CommandText);
        Assert.Contains("ON CONFLICT (token_id) DO UPDATE", command.CommandText);
    }

    [Fact]
    public void Should_record_the_writers_virtual_host_on_groups_and_scheduled_rows()
    {
        using var batch = new NpgsqlBatch();
        OutboxSql.AddWrites(batch.BatchCommands, [Message(), Message(DateTime.UtcNow.AddMinutes(5))], Guid.NewGuid(), Guid.NewGuid(), "vhost-a");

        var group = batch.BatchCommands[0];
        var scheduled = batch.BatchCommands[2];
        Assert.Contains("virtual_host", group.CommandText);
        Assert.Equal("vhost-a", group.Parameters["vhost"].Value);
        Assert.Contains("virtual_host", scheduled.CommandText);
        Assert.Equal("vhost-a", scheduled.Parameters["vhost"].Value);
        // A re-scheduled token takes the new writer's virtual host too.
        Assert.Contains("virtual_host = excluded.virtual_host", scheduled.CommandText);
    }
}
