using System.Diagnostics;
using Bus.Persistence.Transactions;
using Bus.Platform.Telemetry;
using Bus.Workflows.Watchdog;
using MassTransit;

namespace Bus.Workflows.Steps;

/// <summary>
/// How a workflow reports its step runs: the events are the workflow's own (ingest publishes
/// IngestStepStarted, IngestStepProgress, IngestStepFailed), the moments are the kit's.
/// </summary>
public interface IStepReporter
{
    Task StartedAsync(IPublishEndpoint publisher, Guid workflowId, string step, DateTimeOffset at);
    Task ProgressAsync(IPublishEndpoint publisher, Guid workflowId, string step, long done, long total, DateTimeOffset at);
    Task FailedAsync(IPublishEndpoint publisher, Guid workflowId, string step, string code, string message, DateTimeOffset at);

    /// <summary>The workflow's name in metrics and spans: by default its module's (Bus.Ingest: ingest).</summary>
    string Workflow => WorkflowNames.Of(GetType());
}

public static class WorkflowNames
{
    /// <summary><c>Bus.Ingest</c> gives <c>ingest</c>: the module's assembly name after "Bus.", lower case.</summary>
    public static string Of(Type type)
    {
        var name = type.Assembly.GetName().Name ?? "";
        return (name.StartsWith("Bus.", StringComparison.Ordinal) ? name[4..] : name).ToLowerInvariant();
    }
}

/// <summary>
/// What every step consumer does around its work: report the attempt, watch its time slice, report
/// progress, and when the slice is spent send itself a continuation (same command, marked so it is
/// not counted as a new attempt) and acknowledge, well before RabbitMQ's consumer timeout.
/// The "started" and progress reports go straight to the broker (not the step's outbox): they must be
/// seen while the step runs, and an attempt that fails and rolls back still counts as an attempt.
/// The continuation and the failure report go through the outbox, with the step's transaction.
/// Each run is measured when its transaction commits (a run that rolls back is retried and measured then):
/// the <c>bus.step.duration</c> histogram and a <c>bus.step</c> span under the message's consume span, so a
/// trace of a workflow shows every step and every time slice of it.
/// </summary>
public sealed class StepRun<T> where T : class
{
    /// <summary>
    /// Marks a continuation. The name predates the kit (ingest's); kept so continuations in flight across
    /// an upgrade are still recognised.
    /// </summary>
    public const string ContinuationHeader = "Bus-Ingest-Continuation";
    private readonly ConsumeContext<T> _context;
    private readonly IStepReporter _reporter;
    private readonly long _startedTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private readonly ActivityContext _parent = Activity.Current?.Context ?? default;
    private string _result = BusMetrics.StepResults.Completed;

    private StepRun(ConsumeContext<T> context, IStepReporter reporter, Guid workflowId, string step, TimeSpan slice)
    {
        _context = context;
        _reporter = reporter;
        WorkflowId = workflowId;
        Step = step;
        Slice = TimeSlice.Start(slice, ShutdownSignal.Of(context), context.CancellationToken);
    }

    public Guid WorkflowId { get; }
    public string Step { get; }
    public TimeSlice Slice { get; }
    public CancellationToken CancellationToken => _context.CancellationToken;

    public static async Task<StepRun<T>> BeginAsync(ConsumeContext<T> context, IStepReporter reporter, Guid workflowId, string step, TimeSpan slice)
    {
        // The header's value is the step it continues, compared, not merely present: MassTransit copies
        // a consumed message's headers onto everything its consumer sends, so a continuation's mark
        // reaches the next steps too (through the saga), and they must still count as new attempts.
        if (context.Headers.Get<string>(ContinuationHeader) != step)
            await reporter.StartedAsync(context.OutsideOutbox(), workflowId, step, DateTimeOffset.UtcNow);
        // Every message, continuations included: the watchdog sees a long step alive, and a second delivery of
        // this workflow's step waits here until this one commits.
        await StepHeartbeat.BeatAsync(context, workflowId, step, context.CancellationToken);
        var run = new StepRun<T>(context, reporter, workflowId, step, slice);
        context.TryAfterCommit(run.Committed);
        return run;
    }

    private void Committed()
    {
        var workflow = _reporter.Workflow;
        BusMetrics.StepRan(workflow, Step, _result, Stopwatch.GetElapsedTime(_startedTimestamp));
        if (!BusMetrics.ActivitySource.HasListeners()) return;
        using var span = BusMetrics.ActivitySource.StartActivity($"{workflow} {Step}", ActivityKind.Internal, _parent, startTime: _startedAt);
        if (span is null) return;
        span.SetTag(BusMetrics.WorkflowLabel, workflow);
        span.SetTag(BusMetrics.StepLabel, Step);
        span.SetTag(BusMetrics.ResultLabel, _result);
        span.SetTag("bus.workflow.id", WorkflowId.ToString("D"));
    }

    /// <summary>True when the slice is spent, or the host is stopping (SIGTERM): checkpoint and continue elsewhere.</summary>
    public bool ShouldYield => Slice.ShouldYield;

    /// <summary>SIGTERM was received (see <see cref="ShutdownSignal"/>) or the consume context was cancelled.</summary>
    public bool HostIsStopping => Slice.IsStopping;

    public Task ProgressAsync(long done, long total) =>
        _reporter.ProgressAsync(_context.OutsideOutbox(), WorkflowId, Step, done, total, DateTimeOffset.UtcNow);

    /// <summary>Sends the same command back to this step's queue; any process may pick it up.</summary>
    public async Task ContinueAsync()
    {
        _result = BusMetrics.StepResults.Yielded;
        var endpoint = await _context.GetSendEndpoint(_context.ReceiveContext.InputAddress);
        await endpoint.Send(_context.Message, Pipe.Execute<SendContext<T>>(s => s.Headers.Set(ContinuationHeader, Step)), CancellationToken.None);
    }

    public Task FailAsync(string code, string message)
    {
        _result = BusMetrics.StepResults.Failed;
        return _reporter.FailedAsync(_context, WorkflowId, Step, code, message, DateTimeOffset.UtcNow);
    }
}
