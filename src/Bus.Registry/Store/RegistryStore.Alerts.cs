using NpgsqlTypes;

namespace Bus.Registry.Store;

// Alerts: what fixity raises (mismatch, lost) for operators to list and acknowledge.
public sealed partial class RegistryStore
{
    /// <summary>Raises an alert; the id is made once by the caller, so a retried raise adds nothing. True when added.</summary>
    public async Task<bool> AddAlertAsync(AlertRecord alert, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            INSERT INTO {S}.alerts (id, kind, object_id, file_id, identifier, message)
            VALUES (@id, @kind, @object, @file, @identifier, @message) ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.AddWithValue("id", alert.Id);
        command.Parameters.AddWithValue("kind", alert.Kind);
        command.Parameters.AddWithValue("object", NpgsqlDbType.Bigint, (object?)alert.ObjectId ?? DBNull.Value);
        command.Parameters.AddWithValue("file", NpgsqlDbType.Uuid, (object?)alert.FileId ?? DBNull.Value);
        command.Parameters.AddWithValue("identifier", NpgsqlDbType.Text, (object?)alert.Identifier ?? DBNull.Value);
        command.Parameters.AddWithValue("message", alert.Message);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Newest first; open alerts only unless <paramref name="includeAcknowledged"/>.</summary>
    public async Task<IReadOnlyList<AlertRow>> ListAlertsAsync(bool includeAcknowledged = false, int limit = 500, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT id, kind, object_id, file_id, identifier, message, created_at, acknowledged_at, acknowledged_by
            FROM {S}.alerts {(includeAcknowledged ? "" : "WHERE acknowledged_at IS NULL")}
            ORDER BY created_at DESC, id LIMIT @limit
            """);
        command.Parameters.AddWithValue("limit", limit);
        var rows = new List<AlertRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new AlertRow(reader.GetGuid(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                NullableString(reader, 4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), NullableTime(reader, 7), NullableString(reader, 8)));
        return rows;
    }

    /// <summary>Acknowledges an open alert. False when unknown or already acknowledged.</summary>
    public async Task<bool> AcknowledgeAlertAsync(Guid id, string by, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"UPDATE {S}.alerts SET acknowledged_at = now(), acknowledged_by = @by WHERE id = @id AND acknowledged_at IS NULL");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("by", by);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
