using Npgsql;
using NpgsqlTypes;

namespace Bus.Notifications.Data;

/// <summary>A delivery as busctl shows it: what was told to whom, how many attempts, the last error.</summary>
public sealed record DeliveryView(
    Guid DeliveryId, Guid NotificationId, string Kind, string? Institution, string? Identifier, string Channel, string Target, string Status,
    int Attempts, string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Reads deliveries (<c>bus.notification_deliveries</c> with their notification) for busctl notifications.</summary>
public sealed class NotificationRecords(NpgsqlDataSource dataSource)
{
    public static readonly IReadOnlyList<string> States = ["pending", "delivered", "failed"];

    private const string Columns = """
        d.id, n.id, n.kind, n.institution, n.identifier, d.channel, d.target, d.status, d.attempts, d.last_error, d.next_attempt_at,
        d.delivered_at, d.created_at, d.updated_at
        """;

    public async Task<DeliveryView?> FindAsync(Guid deliveryId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {Columns} FROM bus.notification_deliveries d JOIN bus.notifications n ON n.id = d.notification_id WHERE d.id = @id",
            p => p.AddWithValue("id", deliveryId), ct)).SingleOrDefault();

    /// <summary>Deliveries, most recently changed first, optionally in one state and of one institution.</summary>
    public Task<IReadOnlyList<DeliveryView>> ListAsync(string? state, string? institution, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM bus.notification_deliveries d JOIN bus.notifications n ON n.id = d.notification_id
             WHERE (@state::text IS NULL OR d.status = @state) AND (@institution::text IS NULL OR lower(n.institution) = @institution)
             ORDER BY d.updated_at DESC, d.id LIMIT @limit
            """, p =>
        {
            p.Add(new NpgsqlParameter("state", NpgsqlDbType.Text) { Value = (object?)state ?? DBNull.Value });
            p.Add(new NpgsqlParameter("institution", NpgsqlDbType.Text) { Value = (object?)institution ?? DBNull.Value });
            p.AddWithValue("limit", limit);
        }, ct);

    private async Task<IReadOnlyList<DeliveryView>> QueryAsync(string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        parameters(command.Parameters);
        var rows = new List<DeliveryView>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new DeliveryView(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
                r.GetFieldValue<DateTimeOffset>(12), r.GetFieldValue<DateTimeOffset>(13)));
        return rows;
    }
}
