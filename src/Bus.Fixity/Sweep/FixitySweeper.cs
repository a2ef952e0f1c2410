using Bus.Workflows.Copies;
using Bus.Contracts.Fixity;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Fixity.Data;

namespace Bus.Fixity.Sweep;

/// <summary>The outcome of one sweep.</summary>
public sealed record SweepResult(Guid RunId, DateTimeOffset CheckedBefore, int Claimed, int Queued);

/// <summary>
/// One sweep: claims due copies in batches (the registry's index-backed selection with SKIP LOCKED and a
/// lease), starts a check in <c>fixity.checks</c> for each copy without one in flight, and sends
/// <see cref="CheckFixity"/> for those only. Two guards, so a copy is queued once even with two hosts
/// sweeping at the same moment: the claim keeps the selections disjoint, the ledger's unique in-flight
/// index refuses a second check of a copy whatever queued the first (busctl, an earlier sweep).
/// </summary>
public sealed class FixitySweeper(IDueCopies dueCopies, CheckLedger ledger, ISendEndpointProvider sendEndpoints, IOptions<FixityOptions> options, TimeProvider clock)
{
    public async Task<SweepResult> RunAsync(TimeSpan? olderThan, int? limit, string requestedBy, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var checkedBefore = now - (olderThan ?? o.CheckInterval);
        var max = limit ?? o.MaxPerSweep;
        var runId = await ledger.StartSweepAsync(requestedBy, checkedBefore, cancellationToken);
        int claimed = 0, queued = 0;
        try
        {
            var endpoint = await sendEndpoints.GetSendEndpoint(new Uri($"queue:{FixityEndpoints.Check}"));
            while (claimed < max)
            {
                var batch = await dueCopies.ClaimAsync(checkedBefore, Math.Min(o.BatchSize, max - claimed), o.ClaimLease, cancellationToken);
                if (batch.Count == 0) break;
                claimed += batch.Count;
                var started = await ledger.StartAsync(batch, requestedBy, clock.GetUtcNow(), o.AbandonAfter, cancellationToken);
                foreach (var chunk in started.Chunk(100))
                    await Task.WhenAll(chunk.Select(s => endpoint.Send(new CheckFixity(s.CheckId, s.Copy.StorageRecordId, requestedBy, now), cancellationToken)));
                queued += started.Count;
            }
            await ledger.FinishSweepAsync(runId, claimed, queued, null, cancellationToken);
            return new SweepResult(runId, checkedBefore, claimed, queued);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ledger.FinishSweepAsync(runId, claimed, queued, e.Message, CancellationToken.None);
            throw;
        }
    }
}
