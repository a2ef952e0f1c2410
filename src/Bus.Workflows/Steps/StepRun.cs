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
}

/// <summary>
/// What every step consumer does around its work: report the attempt, watch its time slice, report
/// progress, and when the slice is spent send itself a continuation (same command, marked so it is
/// not counted as a new attempt) and acknowledge, well before RabbitMQ's consumer timeout.
/// The "started" and progress reports go straight to the broker (not the step's outbox): they must be
/// seen while the step runs, and an attempt that fails and rolls back still counts as an attempt.
/// The continuation and the failure report go through the outbox, with the step's transaction.
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
        return new StepRun<T>(context, reporter, workflowId, step, slice);
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
        var endpoint = await _context.GetSendEndpoint(_context.ReceiveContext.InputAddress);
        await endpoint.Send(_context.Message, Pipe.Execute<SendContext<T>>(s => s.Headers.Set(ContinuationHeader, Step)), CancellationToken.None);
    }

    public Task FailAsync(string code, string message) =>
        _reporter.FailedAsync(_context, WorkflowId, Step, code, message, DateTimeOffset.UtcNow);
}
