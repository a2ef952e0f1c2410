using Bus.IntegrationTests.Ingest;

namespace Bus.IntegrationTests.Telemetry;

/// <summary>
/// An ingest through a bus-host child process that exports traces over OTLP/HTTP to a receiver in the test,
/// with Unpack in 1-second time slices: /metrics then counts the ingest, its steps and MassTransit's
/// messages, the gauges measure the sagas and the host's queues, and one trace id holds a span for every step
/// (every slice of Unpack too), MassTransit's consume spans, PostgreSQL commands and the S3 calls.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_an_ingest_is_watched
{
    private static readonly string[] Steps = ["unpack", "validate", "identify", "store", "verify", "record", "cleanup"];
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_count_it_and_one_trace_holds_every_step()
    {
        await using var receiver = new OtlpTraceReceiver();
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Telemetry__OtlpEndpoint"] = receiver.Endpoint.ToString(),
            ["Bus__Telemetry__OtlpProtocol"] = "http/protobuf",
            ["Bus__Telemetry__GaugeRefreshSeconds"] = "2",
            ["Bus__Ingest__TimeSliceSeconds"] = "1",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        });
        var bag = new TestBag("watched-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(400);

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);
        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");
        var ingestId = result.GetProperty("ingestId").GetString()!;
        var files = result.GetProperty("fileCount").GetInt64();
        var bytes = result.GetProperty("bytes").GetInt64();

        var metrics = await PollMetricsAsync(stack, m =>
            m.Sum("bus_ingest_finished_total", ("bus_outcome", "completed")) >= 1
            && m.Has("bus_sagas", ("bus_saga_type", "ingest"), ("bus_saga_state", "Completed"))
            && m.Has("bus_queue_consumers"));
        var transitions = string.Join("; ", await stack.QueryAsync(
            "SELECT coalesce(from_state, '-') || '>' || to_state FROM bus.saga_transitions WHERE correlation_id = @id::uuid ORDER BY id",
            r => r.GetString(0), ("id", ingestId)));
        var busLines = string.Join("\n", metrics.Where(s => s.Name.StartsWith("bus_", StringComparison.Ordinal))
            .Select(s => $"{s.Name}{{{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}"));
        Assert.True(metrics.Sum("bus_ingest_started_total") == 1, $"transitions {transitions}\n{busLines}");
        Assert.Equal(1, metrics.Sum("bus_ingest_finished_total"));
        Assert.Equal(files, metrics.Sum("bus_ingest_files_total"));
        Assert.Equal(bytes, metrics.Sum("bus_ingest_bytes_total"));
        foreach (var step in Steps)
            Assert.True(metrics.Sum("bus_step_duration_seconds_count", ("bus_workflow", "ingest"), ("bus_step", step), ("bus_step_result", "completed")) == 1,
                $"no single completed run of {step} in /metrics");
        Assert.True(metrics.Sum("bus_step_duration_seconds_count", ("bus_step", "unpack"), ("bus_step_result", "yielded")) >= 1, "Unpack never yielded a slice");
        // MassTransit's unit "ea" becomes part of the Prometheus name (messaging_masstransit_consume_ea_total).
        var consumed = metrics.Where(m => m.Name.StartsWith("messaging_masstransit_consume_", StringComparison.Ordinal) && m.Name.EndsWith("_total", StringComparison.Ordinal)
            && !m.Name.Contains("error", StringComparison.Ordinal) && !m.Name.Contains("retries", StringComparison.Ordinal)).Sum(m => m.Value);
        Assert.True(consumed >= Steps.Length, "MassTransit's consume counter is missing: " +
            string.Join(", ", metrics.Select(m => m.Name).Where(n => n.StartsWith("messaging_masstransit", StringComparison.Ordinal)).Distinct()));
        Assert.True(metrics.Has("bus_outbox_backlog") && metrics.Has("bus_scheduler_lag_seconds"), "outbox and scheduler gauges are missing");
        var unpackQueue = metrics.Where(s => s.Name == "bus_queue_consumers" && s.Labels["messaging_destination_name"].EndsWith("ingest-unpack", StringComparison.Ordinal)).ToList();
        Assert.True(unpackQueue.Count == 1 && unpackQueue[0].Value >= 1, "the unpack queue's consumer count is missing");
        Assert.DoesNotContain(metrics, s => s.Labels.Values.Any(v => v.Contains(ingestId, StringComparison.Ordinal)));

        var spans = await PollSpansAsync(receiver, ingestId);
        var stepSpans = spans.Where(s => s.Scope == "Bus" && s.Attributes.GetValueOrDefault("bus.workflow.id") == ingestId).ToList();
        var traceId = Assert.Single(stepSpans.Select(s => s.TraceId).Distinct());
        Assert.Equal(Steps.Order(), stepSpans.Where(s => s.Attributes["bus.step.result"] == "completed").Select(s => s.Attributes["bus.step"]).Order());
        Assert.Contains(stepSpans, s => s.Attributes["bus.step"] == "unpack" && s.Attributes["bus.step.result"] == "yielded");
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(trace, s => s.Scope == "MassTransit" && s.Name.Contains("ingest-state", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Scope.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Scope == "System.Net.Http");
        // The host's log lines carry the trace id of the message they were written for.
        Assert.Contains($"\"TraceId\":\"{traceId}\"", stack.Host!.Process.Stdout, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<Sample>> PollMetricsAsync(IngestStack stack, Func<IReadOnlyList<Sample>, bool> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        IReadOnlyList<Sample> last = [];
        while (DateTime.UtcNow < deadline)
        {
            last = PrometheusText.Parse(await Http.GetStringAsync(new Uri(stack.Host!.HealthUrl, "/metrics")));
            if (ready(last)) return last;
            await Task.Delay(250);
        }
        throw new TimeoutException("/metrics never held the ingest and the gauges: " + string.Join("\n", last.Where(s => s.Name.StartsWith("bus_", StringComparison.Ordinal))));
    }

    private static async Task<IReadOnlyList<ReceivedSpan>> PollSpansAsync(OtlpTraceReceiver receiver, string ingestId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var spans = receiver.Spans.ToList();
            var completed = spans.Where(s => s.Attributes.GetValueOrDefault("bus.workflow.id") == ingestId && s.Attributes.GetValueOrDefault("bus.step.result") == "completed")
                .Select(s => s.Attributes["bus.step"]).Distinct().Count();
            if (completed == Steps.Length) return spans;
            await Task.Delay(250);
        }
        throw new TimeoutException("the receiver never got a span for every step: " +
            string.Join(", ", receiver.Spans.Where(s => s.Scope == "Bus").Select(s => s.Name)));
    }
}
