using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Context;
using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>
/// A serialized message as it sits in <c>bus.outbox_message</c> or <c>bus.scheduled_message</c>:
/// the body exactly as MassTransit serialized it at send time plus the envelope, so
/// <see cref="OutboxMessageSendPipe"/> can put it on the broker unchanged later.
/// </summary>
internal sealed record StoredMessage : OutboxMessageContext
{
    private static readonly IObjectDeserializer Json = SystemTextJsonMessageSerializer.Instance;

    public long SequenceNumber { get; init; }
    public Guid MessageId { get; init; }
    public Guid? RequestId { get; init; }
    public Guid? CorrelationId { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? InitiatorId { get; init; }
    public DateTime? ExpirationTime { get; init; }
    public Uri? SourceAddress { get; init; }
    public Uri? DestinationAddress { get; init; }
    public Uri? ResponseAddress { get; init; }
    public Uri? FaultAddress { get; init; }
    public DateTime? SentTime { get; init; }
    public string ContentType { get; init; } = "";
    public string MessageType { get; init; } = "";
    public string Body { get; init; } = "";
    public string? HeadersJson { get; init; }
    public string? PropertiesJson { get; init; }
    /// <summary>For scheduled messages: when it is due, and the token a cancel names.</summary>
    public DateTime? DueAt { get; init; }
    public Guid? TokenId { get; init; }

    Guid? MessageContext.MessageId => MessageId;
    public HostInfo Host => HostMetadataCache.Host;

    public Headers Headers => Json.DeserializeDictionary<object?>(HeadersJson) is { } headers
        ? new DictionarySendHeaders(headers!)
        : EmptyHeaders.Instance;

    public IReadOnlyDictionary<string, object> Properties =>
        Json.DeserializeDictionary<object>(PropertiesJson) ?? new Dictionary<string, object>();

    /// <summary>Captures what the send pipe produced: the serializer ran, so the body is final.</summary>
    public static StoredMessage From<T>(SendContext<T> context) where T : class
    {
        if (context.MessageId is null) throw new MessageException(typeof(T), "The SendContext MessageId must be present");
        var now = DateTime.UtcNow;
        string? properties = null;
        if (context is TransportSendContext<T> transport)
        {
            var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(values);
            // The delay is honoured by the schedule table; replayed to RabbitMQ it would ask for the
            // delayed-message exchange, which does not exist here (and closes the channel).
            values.Remove("Delay");
            properties = Json.SerializeDictionary(values);
        }
        return new StoredMessage
        {
            MessageId = context.MessageId.Value,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime ?? now,
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            HeadersJson = Json.SerializeDictionary(context.Headers.GetAll()),
            PropertiesJson = properties,
            DueAt = context.Delay is { } delay && delay > TimeSpan.Zero ? now + delay : null,
            TokenId = context.ScheduledMessageId ?? context.MessageId,
        };
    }

    internal const string EnvelopeColumns =
        "message_id, destination_address, message_type, content_type, body, headers, properties, conversation_id, correlation_id, " +
        "initiator_id, request_id, source_address, response_address, fault_address, sent_time, expiration_time";

    /// <summary>Adds the envelope parameters named <c>@{prefix}_...</c> in the order of <see cref="EnvelopeColumns"/>; returns the VALUES list.</summary>
    internal string AddParameters(NpgsqlParameterCollection p, string prefix)
    {
        string Add(string name, object? value)
        {
            var parameterName = $"{prefix}_{name}";
            p.Add(new NpgsqlParameter(parameterName, value ?? DBNull.Value));
            return "@" + parameterName;
        }
        return string.Join(", ",
            Add("mid", MessageId), Add("dst", DestinationAddress?.ToString()), Add("mt", MessageType), Add("ct", ContentType), Add("body", Body),
            Add("h", HeadersJson), Add("p", PropertiesJson), Add("conv", ConversationId), Add("corr", CorrelationId), Add("init", InitiatorId),
            Add("req", RequestId), Add("src", SourceAddress?.ToString()), Add("resp", ResponseAddress?.ToString()), Add("fault", FaultAddress?.ToString()),
            Add("sent", SentTime is { } s ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : null),
            Add("exp", ExpirationTime is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null));
    }

    /// <summary>Reads the columns of <see cref="EnvelopeColumns"/> starting at <paramref name="offset"/>.</summary>
    internal static StoredMessage Read(NpgsqlDataReader r, int offset, long sequenceNumber = 0, Guid? tokenId = null)
    {
        Guid? G(int i) => r.IsDBNull(offset + i) ? null : r.GetGuid(offset + i);
        string? S(int i) => r.IsDBNull(offset + i) ? null : r.GetString(offset + i);
        Uri? U(int i) => S(i) is { } s ? new Uri(s) : null;
        DateTime? T(int i) => r.IsDBNull(offset + i) ? null : r.GetDateTime(offset + i);
        return new StoredMessage
        {
            SequenceNumber = sequenceNumber,
            TokenId = tokenId,
            MessageId = r.GetGuid(offset),
            DestinationAddress = U(1),
            MessageType = r.GetString(offset + 2),
            ContentType = r.GetString(offset + 3),
            Body = r.GetString(offset + 4),
            HeadersJson = S(5),
            PropertiesJson = S(6),
            ConversationId = G(7),
            CorrelationId = G(8),
            InitiatorId = G(9),
            RequestId = G(10),
            SourceAddress = U(11),
            ResponseAddress = U(12),
            FaultAddress = U(13),
            SentTime = T(14),
            ExpirationTime = T(15),
        };
    }
}
