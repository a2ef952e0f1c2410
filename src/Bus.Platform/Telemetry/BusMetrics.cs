using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bus.Platform.Telemetry;

/// <summary>
/// Bus's own instruments, in one place: every name, unit and label a dashboard or alert rule may use
/// (docs/operations.md, "Watching Bus"). Names follow OpenTelemetry's conventions (dotted, lower case,
/// the unit in the unit field, counters without a "_total" of their own; the Prometheus exporter adds it).
/// Labels are bounded: workflow, step, outcome, saga type, state and queue names come from code or from the
/// deployment's own queue set, never ids; a value outside a label's known set is recorded as "other".
/// Static, like MassTransit's own meter: one set of instruments per process whichever host or test made it.
/// </summary>
public static class BusMetrics
{
    public const string MeterName = "Bus";
    /// <summary>Spans Bus adds to MassTransit's (one per step run).</summary>
    public const string ActivitySourceName = "Bus";

    public static readonly Meter Meter = new(MeterName, "1.0");
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, "1.0");

    /// <summary>The value a label takes when the recorded one is not in its known set.</summary>
    public const string Other = "other";

    // Label keys.
    public const string WorkflowLabel = "bus.workflow";
    public const string StepLabel = "bus.step";
    public const string ResultLabel = "bus.step.result";
    public const string OutcomeLabel = "bus.outcome";
    public const string SagaTypeLabel = "bus.saga.type";
    public const string SagaStateLabel = "bus.saga.state";
    public const string QueueLabel = "messaging.destination.name";

    /// <summary>How a step run ended: finished its work, yielded at the end of its time slice (a continuation follows), or failed fatally.</summary>
    public static class StepResults
    {
        public const string Completed = "completed";
        public const string Yielded = "yielded";
        public const string Failed = "failed";
    }

    public static readonly WorkflowCounters Ingest = new("ingest", "{ingest}", ["completed", "rejected", "failed", "cancelled"]);
    /// <summary>Fixity checks; outcomes as <c>Bus.Contracts.Fixity.FixityOutcomes</c>.</summary>
    public static readonly WorkflowCounters Fixity = new("fixity", "{check}", ["intact", "repaired", "lost", "deferred", "failed"]);
    public static readonly WorkflowCounters Deletion = new("deletion", "{deletion}", ["completed", "rejected", "cancelled", "expired", "refused"]);
    /// <summary>Restores (their module records into these).</summary>
    public static readonly WorkflowCounters Restore = new("restore", "{restore}", ["completed", "failed", "cancelled"]);

    /// <summary>Payload of completed ingests.</summary>
    public static readonly Counter<long> IngestBytes = Meter.CreateCounter<long>("bus.ingest.bytes", "By", "Payload bytes of completed ingests");
    public static readonly Counter<long> IngestFiles = Meter.CreateCounter<long>("bus.ingest.files", "{file}", "Payload files of completed ingests");

    public static readonly Counter<long> FixityRepairs = Meter.CreateCounter<long>("bus.fixity.repairs", "{copy}", "Copies repaired from another copy that verified");
    public static readonly Counter<long> FixityLost = Meter.CreateCounter<long>("bus.fixity.lost", "{copy}", "Copies found damaged or missing with no good copy to repair from");
    public static readonly Counter<long> RestoreBytes = Meter.CreateCounter<long>("bus.restore.bytes", "By", "Bytes written by completed restores");

    /// <summary>One step run (one time slice of one step), by workflow, step and result.</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("bus.step.duration", "s",
        "Duration of one run (time slice) of a workflow step, from its start to its commit",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });

    // Gauges observed by the telemetry service of one host (names here, measured there).
    public const string Sagas = "bus.sagas";
    public const string OutboxBacklog = "bus.outbox.backlog";
    public const string OutboxOldestAge = "bus.outbox.oldest_age";
    public const string OutboxParked = "bus.outbox.parked";
    public const string ScheduledMessages = "bus.scheduler.messages";
    public const string SchedulerLag = "bus.scheduler.lag";
    public const string QueueMessages = "bus.queue.messages";
    public const string QueueConsumers = "bus.queue.consumers";

    public static void StepRan(string workflow, string step, string result, TimeSpan duration)
    {
        if (!StepDuration.Enabled) return;
        StepDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>(WorkflowLabel, Bounded(workflow, KnownWorkflows)),
            new KeyValuePair<string, object?>(StepLabel, BoundedName(step)),
            new KeyValuePair<string, object?>(ResultLabel, Bounded(result, KnownResults)));
    }

    private static readonly IReadOnlySet<string> KnownWorkflows = new HashSet<string>(["ingest", "fixity", "deletion", "restore"], StringComparer.Ordinal);
    private static readonly IReadOnlySet<string> KnownResults = new HashSet<string>([StepResults.Completed, StepResults.Yielded, StepResults.Failed], StringComparer.Ordinal);

    public static string Bounded(string? value, IReadOnlySet<string> known) => value is not null && known.Contains(value) ? value : Other;

    /// <summary>
    /// A name from code (a step, a state): short lower-case identifiers pass, anything else (a value that
    /// could carry data) becomes "other", so a label can never hold an id or free text.
    /// </summary>
    public static string BoundedName(string? name) =>
        name is { Length: > 0 and <= 40 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !LooksLikeId(name) ? name : Other;

    private static bool LooksLikeId(string name) => name.Count(char.IsAsciiDigit) > 6;
}

/// <summary>A workflow's started and finished counters (<c>bus.&lt;workflow&gt;.started</c>, <c>bus.&lt;workflow&gt;.finished</c> by outcome).</summary>
public sealed class WorkflowCounters
{
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly IReadOnlySet<string> _outcomes;

    internal WorkflowCounters(string workflow, string unit, string[] outcomes)
    {
        Workflow = workflow;
        _outcomes = new HashSet<string>(outcomes, StringComparer.Ordinal);
        _started = BusMetrics.Meter.CreateCounter<long>($"bus.{workflow}.started", unit, $"{workflow} requests started");
        _finished = BusMetrics.Meter.CreateCounter<long>($"bus.{workflow}.finished", unit, $"{workflow} requests finished, by outcome ({string.Join(", ", outcomes)})");
    }

    public string Workflow { get; }
    public IReadOnlySet<string> Outcomes => _outcomes;

    public void Started() => _started.Add(1);

    /// <summary>Records a finish; <paramref name="outcome"/> is compared case-insensitively with the known outcomes.</summary>
    public void Finished(string outcome) =>
        _finished.Add(1, new KeyValuePair<string, object?>(BusMetrics.OutcomeLabel, OutcomeLabel(outcome)));

    public string OutcomeLabel(string? outcome) => BusMetrics.Bounded(outcome?.ToLowerInvariant(), _outcomes);
}
