using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Bus.Operations.Archive;

/// <summary>
/// Basic properties and headers as JSON that keeps every AMQP field type (a long stays a long, a
/// byte string stays bytes) and the header order, so a restored message is the archived one byte
/// for byte. Headers are an array of {n, t, v} because jsonb re-orders object keys.
/// An unknown value type throws: archiving must never drop what it cannot represent.
/// </summary>
public static class AmqpPropertiesCodec
{
    public static string Serialize(IReadOnlyBasicProperties p)
    {
        var o = new JsonObject();
        if (p.IsAppIdPresent()) o["appId"] = p.AppId;
        if (p.IsClusterIdPresent()) o["clusterId"] = p.ClusterId;
        if (p.IsContentEncodingPresent()) o["contentEncoding"] = p.ContentEncoding;
        if (p.IsContentTypePresent()) o["contentType"] = p.ContentType;
        if (p.IsCorrelationIdPresent()) o["correlationId"] = p.CorrelationId;
        if (p.IsDeliveryModePresent()) o["deliveryMode"] = (int)p.DeliveryMode;
        if (p.IsExpirationPresent()) o["expiration"] = p.Expiration;
        if (p.IsMessageIdPresent()) o["messageId"] = p.MessageId;
        if (p.IsPriorityPresent()) o["priority"] = p.Priority;
        if (p.IsReplyToPresent()) o["replyTo"] = p.ReplyTo;
        if (p.IsTimestampPresent()) o["timestamp"] = p.Timestamp.UnixTime;
        if (p.IsTypePresent()) o["type"] = p.Type;
        if (p.IsUserIdPresent()) o["userId"] = p.UserId;
        if (p.IsHeadersPresent() && p.Headers is not null) o["headers"] = EncodeTable(p.Headers);
        return o.ToJsonString();
    }

    public static BasicProperties Deserialize(string json)
    {
        var o = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("archived properties are not a JSON object");
        var p = new BasicProperties();
        if (o["appId"] is { } appId) p.AppId = appId.GetValue<string>();
        if (o["clusterId"] is { } clusterId) p.ClusterId = clusterId.GetValue<string>();
        if (o["contentEncoding"] is { } ce) p.ContentEncoding = ce.GetValue<string>();
        if (o["contentType"] is { } ct) p.ContentType = ct.GetValue<string>();
        if (o["correlationId"] is { } ci) p.CorrelationId = ci.GetValue<string>();
        if (o["deliveryMode"] is { } dm) p.DeliveryMode = (DeliveryModes)dm.GetValue<int>();
        if (o["expiration"] is { } ex) p.Expiration = ex.GetValue<string>();
        if (o["messageId"] is { } mi) p.MessageId = mi.GetValue<string>();
        if (o["priority"] is { } pr) p.Priority = pr.GetValue<byte>();
        if (o["replyTo"] is { } rt) p.ReplyTo = rt.GetValue<string>();
        if (o["timestamp"] is { } ts) p.Timestamp = new AmqpTimestamp(ts.GetValue<long>());
        if (o["type"] is { } ty) p.Type = ty.GetValue<string>();
        if (o["userId"] is { } ui) p.UserId = ui.GetValue<string>();
        if (o["headers"] is JsonArray headers) p.Headers = DecodeTable(headers);
        return p;
    }

    private static JsonArray EncodeTable(IEnumerable<KeyValuePair<string, object?>> table)
    {
        var array = new JsonArray();
        foreach (var (name, value) in table)
        {
            var entry = EncodeValue(value);
            entry.Insert(0, "n", name);
            array.Add(entry);
        }
        return array;
    }

    private static Dictionary<string, object?> DecodeTable(JsonArray array)
    {
        var table = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var node in array)
        {
            var entry = node!.AsObject();
            table[entry["n"]!.GetValue<string>()] = DecodeValue(entry);
        }
        return table;
    }

    private static JsonObject EncodeValue(object? value) => value switch
    {
        null => new JsonObject { ["t"] = "null" },
        byte[] b => Typed("bytes", Convert.ToBase64String(b)),
        string s => Typed("string", s),
        bool b => Typed("bool", b),
        sbyte v => Typed("int8", v),
        byte v => Typed("uint8", v),
        short v => Typed("int16", v),
        ushort v => Typed("uint16", v),
        int v => Typed("int32", v),
        uint v => Typed("uint32", v),
        long v => Typed("int64", v),
        ulong v => Typed("uint64", v.ToString(CultureInfo.InvariantCulture)),
        float v => Typed("float32", v),
        double v => Typed("float64", v),
        decimal v => Typed("decimal", v.ToString(CultureInfo.InvariantCulture)),
        AmqpTimestamp t => Typed("timestamp", t.UnixTime),
        BinaryTableValue bin => Typed("binary", Convert.ToBase64String(bin.Bytes)),
        IEnumerable<KeyValuePair<string, object?>> table => new JsonObject { ["t"] = "table", ["v"] = EncodeTable(table) },
        System.Collections.IList list => new JsonObject { ["t"] = "array", ["v"] = new JsonArray(list.Cast<object?>().Select(x => (JsonNode)EncodeValue(x)).ToArray()) },
        _ => throw new NotSupportedException($"cannot archive an AMQP header value of type {value.GetType().FullName}"),
    };

    private static JsonObject Typed(string type, JsonNode? value) => new() { ["t"] = type, ["v"] = value };

    private static object? DecodeValue(JsonObject entry)
    {
        var v = entry["v"];
        return entry["t"]!.GetValue<string>() switch
        {
            "null" => null,
            "bytes" => Convert.FromBase64String(v!.GetValue<string>()),
            "string" => v!.GetValue<string>(),
            "bool" => v!.GetValue<bool>(),
            "int8" => v!.GetValue<sbyte>(),
            "uint8" => v!.GetValue<byte>(),
            "int16" => v!.GetValue<short>(),
            "uint16" => v!.GetValue<ushort>(),
            "int32" => v!.GetValue<int>(),
            "uint32" => v!.GetValue<uint>(),
            "int64" => v!.GetValue<long>(),
            "uint64" => ulong.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture),
            "float32" => v!.GetValue<float>(),
            "float64" => v!.GetValue<double>(),
            "decimal" => decimal.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture),
            "timestamp" => new AmqpTimestamp(v!.GetValue<long>()),
            "binary" => new BinaryTableValue(Convert.FromBase64String(v!.GetValue<string>())),
            "table" => DecodeTable(v!.AsArray()),
            "array" => v!.AsArray().Select(x => DecodeValue(x!.AsObject())).ToList(),
            var t => throw new FormatException($"unknown archived header type '{t}'"),
        };
    }
}
