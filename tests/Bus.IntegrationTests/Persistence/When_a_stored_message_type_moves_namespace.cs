using Bus.IntegrationTests.Persistence.Support;
using Bus.Platform.Database;

namespace Bus.IntegrationTests.Persistence;

/// <summary>
/// The RenameInternalMessageTypes migrations (MovedMessageTypes): a message scheduled under a moved
/// type's old name (a deletion's approval timeout, due days later) takes the new name in its row and in
/// its serialized envelope, faults too; a type whose name only starts like a moved one keeps its own.
/// </summary>
public sealed class When_a_stored_message_type_moves_namespace
{
    private const string From = "Bus.Contracts.Deletion";
    private const string To = "Bus.Deletion.StateMachines.Messages";

    [Fact]
    public async Task Scheduled_messages_under_the_old_name_are_renamed_and_others_are_not()
    {
        await TestDatabase.EnsureReadyAsync();
        var (timeout, fault, lookalike) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        try
        {
            await InsertAsync(timeout, $"urn:message:{From}:DeletionApprovalExpired");
            await InsertAsync(fault, $"urn:message:MassTransit:Fault[[{From}:DeleteItem]];urn:message:MassTransit:Fault");
            await InsertAsync(lookalike, $"urn:message:{From}:DeleteItemLater");

            await TestDatabase.ExecuteAsync(MovedMessageTypes.RenameSql(From, To, ["DeleteItem", "ItemDeleted", "DeletionApprovalExpired"]));

            Assert.Equal(($"urn:message:{To}:DeletionApprovalExpired", Body($"urn:message:{To}:DeletionApprovalExpired")), await RowAsync(timeout));
            var faultType = $"urn:message:MassTransit:Fault[[{To}:DeleteItem]];urn:message:MassTransit:Fault";
            Assert.Equal((faultType, Body(faultType)), await RowAsync(fault));
            Assert.Equal(($"urn:message:{From}:DeleteItemLater", Body($"urn:message:{From}:DeleteItemLater")), await RowAsync(lookalike));
        }
        finally
        {
            await TestDatabase.ExecuteAsync($"DELETE FROM bus.scheduled_message WHERE token_id IN ('{timeout}', '{fault}', '{lookalike}')");
        }
    }

    // The envelope as MassTransit serializes it: messageType lists the names a receiver matches on.
    private static string Body(string messageType) =>
        "{\"messageId\":\"x\",\"messageType\":[" + string.Join(",", messageType.Split(';').Select(t => $"\"{t}\"")) + "],\"message\":{\"requestId\":\"r\"}}";

    private static Task InsertAsync(Guid token, string messageType) =>
        TestDatabase.QueryAsync("""
            INSERT INTO bus.scheduled_message (token_id, due_at, message_id, destination_address, message_type, content_type, body, sent_time)
            VALUES (@token, '2999-01-01', gen_random_uuid(), 'queue:nowhere-test', @type, 'application/vnd.masstransit+json', @body, now())
            RETURNING token_id
            """, r => r.GetGuid(0), ("token", token), ("type", messageType), ("body", Body(messageType)));

    private static async Task<(string Type, string Body)> RowAsync(Guid token) =>
        (await TestDatabase.QueryAsync("SELECT message_type, body FROM bus.scheduled_message WHERE token_id = @t",
            r => (r.GetString(0), r.GetString(1)), ("t", token))).Single();
}
