using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bus.Notifications.Delivery;

/// <summary>
/// What a webhook receives: the same bytes on every attempt of a delivery (nothing attempt-specific in the body), so
/// a receiver that saw the delivery id before can drop the repeat, and the signature is checked over exactly these bytes.
/// </summary>
public static class NotificationPayload
{
    public const string SignatureHeader = "X-Bus-Signature";
    public const string DeliveryHeader = "X-Bus-Delivery";
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string KindHeader = "X-Bus-Kind";
    public const string AttemptHeader = "X-Bus-Attempt";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Body(Guid deliveryId, Notice notice) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        deliveryId,
        notificationId = notice.Id,
        kind = notice.Kind,
        source = notice.Source,
        institution = notice.Institution,
        identifier = notice.Identifier,
        message = notice.Message,
        occurredAt = notice.OccurredAt,
    }, Json);

    /// <summary><c>sha256=&lt;lower-case hex of HMAC-SHA256(secret as UTF-8, body)&gt;</c>.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>How a receiver checks a body: recompute and compare in constant time.</summary>
    public static bool Verify(string secret, byte[] body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(secret, body)), Encoding.ASCII.GetBytes(header));

    public static string Subject(Notice notice) =>
        $"[Bus] {notice.Kind}{(notice.Identifier is null ? "" : $": {Truncate(notice.Identifier, 150)}")}";

    public static string Text(Guid deliveryId, Notice notice) => $"""
        {notice.Message}

        Kind:         {notice.Kind}
        Institution:  {notice.Institution ?? "-"}
        Identifier:   {notice.Identifier ?? "-"}
        Occurred at:  {notice.OccurredAt:u}
        Notification: {notice.Id}
        Delivery:     {deliveryId}
        """;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}
