using System.Text;
using Bus.Operations;
using Bus.Operations.Archive;
using RabbitMQ.Client;

namespace Bus.Tests.Operations;

public class AmqpPropertiesCodecTests
{
    [Fact]
    public void Every_property_and_header_type_survives_the_round_trip_in_order()
    {
        var original = new BasicProperties
        {
            AppId = "app", ContentType = "application/vnd.masstransit+json", ContentEncoding = "utf-8", CorrelationId = "c",
            DeliveryMode = DeliveryModes.Persistent, Expiration = "60000", MessageId = Guid.NewGuid().ToString(), Priority = 3,
            ReplyTo = "r", Timestamp = new AmqpTimestamp(1_700_000_000), Type = "t", UserId = "bus",
            Headers = new Dictionary<string, object?>
            {
                ["z-first"] = Encoding.UTF8.GetBytes("bytes ✓"),
                ["int"] = 7, ["long"] = 1L << 40, ["bool"] = true, ["null"] = null, ["double"] = 1.5, ["decimal"] = 12.25m,
                ["short"] = (short)-3, ["byte"] = (byte)200, ["sbyte"] = (sbyte)-5, ["float"] = 2.5f,
                ["ts"] = new AmqpTimestamp(1_600_000_000),
                ["table"] = new Dictionary<string, object?> { ["inner"] = 1L, ["s"] = Encoding.UTF8.GetBytes("v") },
                ["list"] = new List<object?> { 1, Encoding.UTF8.GetBytes("x"), null },
                ["binary"] = new BinaryTableValue([1, 2, 3]),
            },
        };

        var restored = AmqpPropertiesCodec.Deserialize(AmqpPropertiesCodec.Serialize(original));

        Assert.Equal(original.AppId, restored.AppId);
        Assert.Equal(original.ContentType, restored.ContentType);
        Assert.Equal(original.ContentEncoding, restored.ContentEncoding);
        Assert.Equal(original.CorrelationId, restored.CorrelationId);
        Assert.Equal(original.DeliveryMode, restored.DeliveryMode);
        Assert.Equal(original.Expiration, restored.Expiration);
        Assert.Equal(original.MessageId, restored.MessageId);
        Assert.Equal(original.Priority, restored.Priority);
        Assert.Equal(original.ReplyTo, restored.ReplyTo);
        Assert.Equal(original.Timestamp, restored.Timestamp);
        Assert.Equal(original.Type, restored.Type);
        Assert.Equal(original.UserId, restored.UserId);
        Assert.False(restored.IsClusterIdPresent());
        Assert.Equal(original.Headers.Keys, restored.Headers!.Keys);
        foreach (var (name, value) in original.Headers)
            Assert.True(AmqpValues.DeepEqual(value, restored.Headers[name]), $"header {name} changed");
        Assert.IsType<long>(restored.Headers["long"]);
        Assert.IsType<int>(restored.Headers["int"]);
        Assert.IsType<byte[]>(restored.Headers["z-first"]);
    }

    [Fact]
    public void A_value_it_cannot_represent_is_refused_not_dropped() =>
        Assert.Throws<NotSupportedException>(() => AmqpPropertiesCodec.Serialize(
            new BasicProperties { Headers = new Dictionary<string, object?> { ["odd"] = new Uri("http://x") } }));

    [Fact]
    public void Options_name_the_bad_key()
    {
        var errors = new OperationsOptions { ArchiveRetentionDays = 0, MaxScanMessages = 0, ReplayBatchSize = 0 }.Validate().Select(e => e.Key).ToList();
        Assert.Equal([nameof(OperationsOptions.ArchiveRetentionDays), nameof(OperationsOptions.MaxScanMessages), nameof(OperationsOptions.ReplayBatchSize)], errors);
    }
}
