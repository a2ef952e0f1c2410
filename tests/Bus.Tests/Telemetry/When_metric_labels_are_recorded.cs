using System.Diagnostics.Metrics;
using Bus.Host.Telemetry;
using Bus.Platform.Telemetry;

namespace Bus.Tests.Telemetry;

/// <summary>Every label Bus records comes from a bounded set: ids and free text become "other", never a new series.</summary>
public class When_metric_labels_are_recorded
{
    [Theory]
    [InlineData("unpack", "unpack")]
    [InlineData("clean_up", "clean_up")]
    [InlineData("WaitingForItem", "WaitingForItem")]
    [InlineData("0b9e7c1a-5f4e-4b7e-9a43-1c2d3e4f5a6b", "other")]
    [InlineData("ingest 42 of institution x", "other")]
    [InlineData("step12345678", "other")]
    [InlineData("", "other")]
    [InlineData(null, "other")]
    public void Should_keep_code_names_and_refuse_anything_like_an_id(string? name, string label) =>
        Assert.Equal(label, BusMetrics.BoundedName(name));

    [Fact]
    public void Should_record_an_unknown_outcome_as_other()
    {
        Assert.Equal("completed", BusMetrics.Ingest.OutcomeLabel("Completed"));
        Assert.Equal("other", BusMetrics.Ingest.OutcomeLabel("completed for 0b9e7c1a"));
        Assert.Equal("other", BusMetrics.Fixity.OutcomeLabel(null));
    }

    [Fact]
    public void Should_record_step_runs_with_only_bounded_labels()
    {
        var recorded = new List<KeyValuePair<string, object?>[]>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument == BusMetrics.StepDuration) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => { lock (recorded) recorded.Add(tags.ToArray()); });
        listener.Start();

        BusMetrics.StepRan("ingest", "unpack", BusMetrics.StepResults.Yielded, TimeSpan.FromSeconds(1));
        BusMetrics.StepRan("a-workflow-nobody-knows", "0b9e7c1a-5f4e-4b7e-9a43-1c2d3e4f5a6b", "exploded", TimeSpan.FromSeconds(1));

        lock (recorded)
        {
            Assert.Equal(2, recorded.Count);
            Assert.Equal(["ingest", "unpack", "yielded"], recorded[0].Select(t => (string)t.Value!));
            Assert.Equal(["other", "other", "other"], recorded[1].Select(t => (string)t.Value!));
            Assert.All(recorded, tags => Assert.Equal([BusMetrics.WorkflowLabel, BusMetrics.StepLabel, BusMetrics.ResultLabel], tags.Select(t => t.Key)));
        }
    }

    [Fact]
    public void Should_count_only_the_deployments_own_queues_and_at_most_a_bounded_number()
    {
        var queues = new List<ManagedQueueFigures>
        {
            new("ingest-unpack", 3, 2, Durable: true, AutoDelete: false, Exclusive: false),
            new("ingest-unpack_error", 1, 0, Durable: true, AutoDelete: false, Exclusive: false),
            new("host1_bushost_abcdef_bus_xyz", 0, 1, Durable: false, AutoDelete: true, Exclusive: false),
            new("amq.gen-reply", 0, 1, Durable: false, AutoDelete: false, Exclusive: true),
            new("fresh-queue-without-stats", null, null, Durable: true, AutoDelete: false, Exclusive: false),
        };
        Assert.Equal(
            [new QueueCount("fresh-queue-without-stats", 0, 0), new QueueCount("ingest-unpack", 3, 2), new QueueCount("ingest-unpack_error", 1, 0)],
            BrokerQueues.Select(queues));

        var many = Enumerable.Range(0, BrokerQueues.MaxQueues + 50).Select(i => new ManagedQueueFigures($"q{i:D4}", 0, 0, true, false, false));
        Assert.Equal(BrokerQueues.MaxQueues, BrokerQueues.Select(many).Count);
    }

    [Fact]
    public void Should_measure_gauges_under_one_lock_per_virtual_host()
    {
        Assert.Equal(TelemetryGauges.LockKey("bus"), TelemetryGauges.LockKey("bus"));
        Assert.NotEqual(TelemetryGauges.LockKey("bus"), TelemetryGauges.LockKey("bus-test-1"));
    }
}
