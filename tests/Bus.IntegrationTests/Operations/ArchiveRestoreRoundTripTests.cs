using Bus.Tests.Operations;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Bus.IntegrationTests.Operations;

/// <summary>busctl errors archive then restore gives back the same message: body bytes, every property, every header with its type, in order.</summary>
public class ArchiveRestoreRoundTripTests
{
    [Fact]
    public async Task Archived_then_restored_message_is_byte_for_byte_the_original()
    {
        await using var kit = await ErrorQueueTestKit.CreateAsync();
        var errorQueue = await kit.QueueAsync("-stage_error");
        var first = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");
        var rich = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage", extraHeaders: new Dictionary<string, object?>
        {
            ["x-long"] = 1L << 40, ["x-int"] = 7, ["x-bool"] = true, ["x-double"] = 0.25, ["x-null"] = null,
            ["x-bytes"] = new byte[] { 0, 255, 10 }, ["x-ts"] = new AmqpTimestamp(1_700_000_000),
            ["x-table"] = new Dictionary<string, object?> { ["k"] = Encoding.UTF8.GetBytes("v"), ["n"] = 3L },
            ["x-list"] = new List<object?> { 1, Encoding.UTF8.GetBytes("two") },
        });
        var last = await kit.PublishFaultAsync(errorQueue, kit.Prefix + "-stage");
        var original = (await kit.PeekAsync(errorQueue)).Single(m => m.MessageId == rich.ToString());

        var (archiveExit, archiveOut, archiveErr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "archive", errorQueue, "--message-id", rich.ToString(), "--json");
        Assert.True(archiveExit == 0, archiveErr);
        var archiveId = JsonDocument.Parse(archiveOut).RootElement.GetProperty("messages")[0].GetProperty("id").GetInt64();
        Assert.Equal([first, last], (await kit.PeekAsync(errorQueue)).Select(m => Guid.Parse(m.MessageId!)));

        var (restoreExit, _, restoreErr) = await ErrorQueueTestKit.RunBusctlAsync("errors", "restore", archiveId.ToString());
        Assert.True(restoreExit == 0, restoreErr);

        var messages = await kit.DrainAsync(errorQueue);
        Assert.Equal([first, last, rich], messages.Select(ErrorQueueTestKit.IdOf));
        var restored = messages[2];
        Assert.Equal(original.Body, restored.Body.ToArray());
        var (o, r) = (original.Properties, restored.BasicProperties);
        Assert.Equal((o.MessageId, o.ContentType, o.DeliveryMode, o.CorrelationId, o.Type, o.Timestamp, o.IsTimestampPresent()),
            (r.MessageId, r.ContentType, r.DeliveryMode, r.CorrelationId, r.Type, r.Timestamp, r.IsTimestampPresent()));
        Assert.Equal(o.Headers!.Keys, r.Headers!.Keys);
        foreach (var (name, value) in o.Headers)
            Assert.True(AmqpValues.DeepEqual(value, r.Headers[name]), $"header {name} differs after restore");
        Assert.Null(await kit.Get<Bus.Operations.Archive.ErrorArchive>().GetAsync(archiveId, CancellationToken.None));
        Assert.Equal(["archive", "restore"], (await kit.AuditAsync([rich])).Select(a => a.Action));
    }
}
