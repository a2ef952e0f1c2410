using System.Text.Json;
using Bus.Contracts.Ingest;
using MassTransit.Testing;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Tests.Ingest;

public sealed class When_a_bag_is_invalid
{
    private static readonly IngestRejection[] Reasons =
    [
        new("manifest-checksum-mismatch", "data/a.txt: md5 does not match", "data/a.txt"),
        new("payload-oxum-mismatch", "Payload-Oxum says 10.1, the bag has 12.1"),
    ];

    [Theory]
    [InlineData(0)] // the tar cannot be read at all (found by Unpack)
    [InlineData(1)] // found by Validate
    public async Task It_is_Rejected_with_every_reason_and_its_staging_is_compensated(int stepsBefore)
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(stepsBefore);
        await h.Harness.Bus.Publish(new BagInvalid(id, Reasons, DateTimeOffset.UtcNow));

        var saga = await h.InStateAsync(id, h.Machine.Rejected);
        Assert.Equal(Reasons, JsonSerializer.Deserialize<IngestRejection[]>(saga.Rejections!));
        var rejected = await h.Harness.Published.SelectAsync<IngestRejected>(m => m.Context.Message.IngestId == id).First();
        Assert.Equal(Reasons, rejected.Context.Message.Reasons);
        await h.SentAsync<CompensateIngest>(id, 1);
        await h.SentAsync<IdentifyFormats>(id, 0);
    }

    [Fact]
    public async Task The_status_reports_the_reasons()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(1);
        await h.Harness.Bus.Publish(new BagInvalid(id, Reasons, DateTimeOffset.UtcNow));
        await h.InStateAsync(id, h.Machine.Rejected);

        var client = h.Harness.GetRequestClient<GetIngestStatus>();
        var response = await client.GetResponse<IngestStatus>(new GetIngestStatus(id));
        Assert.Equal("Rejected", response.Message.State);
        Assert.Equal(Reasons, response.Message.Rejections);
    }
}
