using Bus.Contracts.Ingest;
using MassTransit;

namespace Bus.Tests.Ingest;

public sealed class When_status_is_requested
{
    [Fact]
    public async Task A_known_ingest_answers_with_its_state_and_step_timings()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var id = await h.DriveAsync(2);
        var response = await h.Harness.GetRequestClient<GetIngestStatus>().GetResponse<IngestStatus>(new GetIngestStatus(id));
        Assert.Equal("Identifying", response.Message.State);
        Assert.Equal(IngestSteps.Identify, response.Message.CurrentStep);
        Assert.Equal("test.edu/bag1", response.Message.ObjectIdentifier);
        Assert.NotNull(response.Message.Steps.Single(s => s.Step == IngestSteps.Validate).FinishedAt);
    }

    [Fact]
    public async Task An_unknown_ingest_answers_not_found()
    {
        await using var h = await IngestSagaHarness.StartAsync();
        var response = await h.Harness.GetRequestClient<GetIngestStatus>()
            .GetResponse<IngestStatus, IngestNotFound>(new GetIngestStatus(Guid.NewGuid()));
        Assert.True(response.Is(out Response<IngestNotFound>? _));
    }
}
