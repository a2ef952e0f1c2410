using System.Text.Json;
using RabbitMQ.Client;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// One message read from an error queue: its exact body and properties, where it sat in the queue,
/// and what its fault headers and MassTransit envelope say about it.
/// </summary>
public sealed class ErrorMessage
{
    public ErrorMessage(string queue, int position, ulong deliveryTag, IReadOnlyBasicProperties properties, byte[] body)
    {
        Queue = queue;
        Position = position;
        DeliveryTag = deliveryTag;
        Properties = properties;
        Body = body;
        Envelope = MassTransitEnvelope.TryParse(properties.ContentType, body);
        var headers = properties.Headers;
        var headerTypes = FaultHeaders.Text(headers, FaultHeaders.MessageType);
        MessageTypes = !string.IsNullOrEmpty(headerTypes)
            ? headerTypes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : Envelope?.MessageTypes ?? [];
        ExceptionType = FaultHeaders.Text(headers, FaultHeaders.ExceptionType);
        FaultTimestamp = headers is not null && headers.TryGetValue(FaultHeaders.Timestamp, out var ts) ? FaultHeaders.AsTimestamp(ts) : null;
    }

    public string Queue { get; }
    /// <summary>0-based position in the queue when it was scanned.</summary>
    public int Position { get; }
    public ulong DeliveryTag { get; }
    public IReadOnlyBasicProperties Properties { get; }
    public byte[] Body { get; }
    public MassTransitEnvelope? Envelope { get; }

    public string? MessageId => Properties.MessageId ?? Envelope?.MessageId;
    public IReadOnlyList<string> MessageTypes { get; }
    public string? ExceptionType { get; }
    public DateTimeOffset? FaultTimestamp { get; }

    /// <summary>The first message type, as list groups it ("urn:message:Ns:Type", or "(unknown)").</summary>
    public string PrimaryMessageType => MessageTypes.Count > 0 ? MessageTypes[0] : "(unknown)";

    /// <summary>The saga key: envelope correlationId, else the message's CorrelationId, else the AMQP correlation-id.</summary>
    public Guid? CorrelationId =>
        Envelope?.CorrelationId
        ?? (Guid.TryParse(Properties.CorrelationId, out var g) ? g : null);

    public string? Header(string name) => FaultHeaders.Text(Properties.Headers, name);
}

/// <summary>The parts of MassTransit's JSON envelope (application/vnd.masstransit+json) busctl uses.</summary>
public sealed record MassTransitEnvelope(string? MessageId, Guid? CorrelationId, IReadOnlyList<string> MessageTypes, JsonElement Root)
{
    public static MassTransitEnvelope? TryParse(string? contentType, byte[] body)
    {
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement.Clone();
            if (root.ValueKind != JsonValueKind.Object) return null;
            var types = root.TryGetProperty("messageType", out var mt) && mt.ValueKind == JsonValueKind.Array
                ? mt.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            return new MassTransitEnvelope(String(root, "messageId"), Correlation(root), types, root);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Guid? Correlation(JsonElement root)
    {
        if (Guid.TryParse(String(root, "correlationId"), out var envelope)) return envelope;
        // CorrelatedBy<Guid> messages carry it inside the message even when the envelope does not.
        if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            && Guid.TryParse(String(message, "correlationId"), out var inner)) return inner;
        return null;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
