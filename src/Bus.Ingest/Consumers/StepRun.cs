using System.Diagnostics;
using Bus.Contracts.Ingest;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.Consumers;

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
    private const string ContinuationHeader = "Bus-Ingest-Continuation";
    private readonly ConsumeContext<T> _context;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly TimeSpan _slice;
    private readonly CancellationToken _hostStopping;

    private StepRun(ConsumeContext<T> context, Guid ingestId, string step, TimeSpan slice)
    {
        _context = context;
        IngestId = ingestId;
        Step = step;
        _slice = slice;
        _hostStopping = HostStopping(context);
    }

    public Guid IngestId { get; }
    public string Step { get; }
    public CancellationToken CancellationToken => _context.CancellationToken;

    public static async Task<StepRun<T>> BeginAsync(ConsumeContext<T> context, Guid ingestId, string step, TimeSpan slice)
    {
        // The header's value is the step it continues, compared, not merely present: MassTransit copies
        // a consumed message's headers onto everything its consumer sends, so a continuation's mark
        // reaches the next steps too (through the saga), and they must still count as new attempts.
        if (context.Headers.Get<string>(ContinuationHeader) != step)
            await context.OutsideOutbox().Publish(new IngestStepStarted(ingestId, step, DateTimeOffset.UtcNow));
        return new StepRun<T>(context, ingestId, step, slice);
    }

    /// <summary>True when the slice is spent, or the host is stopping (SIGTERM): checkpoint and continue elsewhere.</summary>
    public bool ShouldYield => _elapsed.Elapsed >= _slice || HostIsStopping;

    /// <summary>
    /// SIGTERM was received. The host's ApplicationStopping fires at once, before MassTransit stops
    /// its endpoints and waits for in-flight messages; the consume context's own token is cancelled
    /// only if a consumer stop timeout runs out, mid-file. Steps check this between files, so they
    /// checkpoint, send their continuation while the bus can still send, and return in time.
    /// </summary>
    public bool HostIsStopping => _hostStopping.IsCancellationRequested || _context.CancellationToken.IsCancellationRequested;

    private static CancellationToken HostStopping(ConsumeContext context) =>
        context.TryGetPayload(out IServiceProvider? services)
            ? services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None
            : CancellationToken.None;

    public Task ProgressAsync(long done, long total) =>
        _context.OutsideOutbox().Publish(new IngestStepProgress(IngestId, Step, done, total, DateTimeOffset.UtcNow), CancellationToken.None);

    /// <summary>Sends the same command back to this step's queue; any process may pick it up.</summary>
    public async Task ContinueAsync()
    {
        var endpoint = await _context.GetSendEndpoint(_context.ReceiveContext.InputAddress);
        await endpoint.Send(_context.Message, Pipe.Execute<SendContext<T>>(s => s.Headers.Set(ContinuationHeader, Step)), CancellationToken.None);
    }

    public Task FailAsync(string code, string message) =>
        _context.Publish(new IngestStepFailed(IngestId, Step, code, message, DateTimeOffset.UtcNow));
}
