using Bus.Persistence.Transactions;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>A consumer's database effect, written on the message's transaction like a real module's registry rows.</summary>
public static class Effects
{
    public static async Task RecordAsync(MessageTransaction transaction, string kind, Guid key, Guid? messageId, int redeliveryCount = 0)
    {
        await using var command = transaction.CreateCommand(
            "INSERT INTO bus.persistence_test_effects (kind, key, message_id, redelivery_count) VALUES (@k, @key, @m, @r)");
        command.Parameters.AddWithValue("k", kind);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("m", (object?)messageId ?? DBNull.Value);
        command.Parameters.AddWithValue("r", redeliveryCount);
        await command.ExecuteNonQueryAsync();
    }
}
