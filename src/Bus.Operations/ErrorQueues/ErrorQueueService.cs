using Bus.Operations.Audit;
using Bus.Operations.Sagas;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Bus.Operations.ErrorQueues;

/// <summary>errors list, show and replay.</summary>
public sealed class ErrorQueueService(
    IOptions<RabbitMqOptions> rabbit,
    IOptions<OperationsOptions> operations,
    ErrorAudit audit,
    ISagaLookup sagas)
{
    public async Task<IReadOnlyList<ErrorQueueSummary>> ListAsync(string? nameContains, CancellationToken cancellationToken)
    {
        var queues = await new ErrorQueueCatalog(rabbit.Value).ListAsync(nameContains, cancellationToken);
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        var result = new List<ErrorQueueSummary>();
        foreach (var queue in queues)
        {
            var count = await broker.ReadyCountAsync(queue.Name, cancellationToken);
            if (count is null) continue; // deleted since it was listed
            await using var scan = await broker.ScanAsync(queue.Name, operations.Value.MaxScanMessages, null, cancellationToken);
            result.Add(new ErrorQueueSummary(queue.Name, queue.Type, count.Value, scan.Messages.Count, scan.Truncated, FailureGroup.Of(scan.Messages)));
        }
        return result;
    }

    /// <summary>The first <paramref name="limit"/> messages, or the one with <paramref name="messageId"/>.</summary>
    public async Task<IReadOnlyList<ErrorMessageView>> ShowAsync(string queue, Guid? messageId, int limit, CancellationToken cancellationToken)
    {
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        await RequireErrorQueueAsync(broker, queue, cancellationToken);
        var selector = messageId is { } id ? MessageSelector.Create([id.ToString()], false, null, null) : null;
        List<ErrorMessage> shown;
        await using (var scan = await broker.ScanAsync(queue, operations.Value.MaxScanMessages,
            read => selector is null ? read.Count >= limit : selector.Matches(read[^1]), cancellationToken))
        {
            shown = selector is null ? scan.Messages.Take(limit).ToList() : scan.Messages.Where(selector.Matches).ToList();
        }
        if (messageId is not null && shown.Count == 0)
            throw new OperationsUsageException($"no message with id {messageId} in queue '{queue}'");
        var views = new List<ErrorMessageView>();
        foreach (var m in shown)
        {
            SagaSnapshot? saga = null;
            foreach (var (_, named) in NamedIds.Of(m))
                if ((saga = await sagas.FindAsync(named, m.MessageTypes, cancellationToken)) is not null) break;
            views.Add(ErrorMessageView.From(m, saga));
        }
        return views;
    }

    /// <summary>
    /// Messages in any error queue that name <paramref name="correlationId"/> (<see cref="NamedIds"/>: as correlation id or
    /// as an id property of the message, busctl sagas show),
    /// with the queue they are in. Reads at most MaxScanMessages per queue; every message is left in place.
    /// </summary>
    public async Task<IReadOnlyList<(string Queue, ErrorMessageView Message)>> FindByCorrelationAsync(Guid correlationId, CancellationToken cancellationToken)
    {
        var queues = await new ErrorQueueCatalog(rabbit.Value).ListAsync(null, cancellationToken);
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        var found = new List<(string, ErrorMessageView)>();
        foreach (var queue in queues)
        {
            if (await broker.ReadyCountAsync(queue.Name, cancellationToken) is null or 0) continue;
            await using var scan = await broker.ScanAsync(queue.Name, operations.Value.MaxScanMessages, null, cancellationToken);
            found.AddRange(scan.Messages.Where(m => NamedIds.Of(m).Any(i => i.Id == correlationId)).Select(m => (queue.Name, ErrorMessageView.From(m, null))));
        }
        return found;
    }

    /// <summary>
    /// Sends each selected message back to the queue it failed on, in batches (<see cref="ReplayBatch"/>):
    /// publish the copies to their target queues and wait for the broker's confirms, and only then
    /// acknowledge the originals whose copies were confirmed. A crash in between leaves the originals
    /// in the error queue and possibly copies delivered, never neither; the consumer's inbox
    /// deduplicates by MessageId. Messages not selected (or not confirmed) are returned to their
    /// places when the scan is disposed.
    /// </summary>
    public async Task<ReplayReport> ReplayAsync(string queue, MessageSelector selector, bool dryRun, string actor, CancellationToken cancellationToken)
    {
        if (!dryRun) await audit.EnsureReadyAsync(cancellationToken);
        await using var broker = await ErrorQueueBroker.ConnectAsync(rabbit.Value, cancellationToken);
        await RequireErrorQueueAsync(broker, queue, cancellationToken);
        var seen = new HashSet<Guid>();
        await using var scan = await broker.ScanAsync(queue, operations.Value.MaxScanMessages, read =>
        {
            if (Guid.TryParse(read[^1].MessageId, out var id)) seen.Add(id);
            return selector.IsExhaustedBy(seen);
        }, cancellationToken);

        var targetsExist = new Dictionary<string, bool>(StringComparer.Ordinal);
        var results = new List<ReplayedMessage>();
        await using var publisher = dryRun ? null : await broker.CreatePublisherAsync(cancellationToken);
        var batch = dryRun ? null : new ReplayBatch(scan, publisher!, audit, queue, actor, operations.Value.ReplayBatchSize);
        foreach (var message in scan.Messages.Where(selector.Matches))
        {
            var target = ReplayTarget.Resolve(queue, message.Header(FaultHeaders.InputAddress));
            string? problem = null;
            if (target is null) problem = "target refused: the queue name has no _error/_skipped suffix, or MT-Fault-InputAddress names another queue than the one this error queue belongs to";
            else if (target == queue) problem = "the target is the error queue itself";
            else
            {
                if (!targetsExist.TryGetValue(target, out var exists))
                    targetsExist[target] = exists = await broker.ReadyCountAsync(target, cancellationToken) is not null;
                if (!exists) problem = $"target queue '{target}' does not exist (is its service deployed?)";
            }

            if (batch is null)
            {
                results.Add(new ReplayedMessage(message.Position, message.MessageId, target,
                    problem is null ? ReplayOutcome.WouldReplay : ReplayOutcome.Failed, problem));
                continue;
            }
            batch.Add(message, target, problem);
            if (batch.IsFull) results.AddRange(await batch.SendAsync(cancellationToken));
        }
        if (batch is not null) results.AddRange(await batch.SendAsync(cancellationToken));
        return new ReplayReport(queue, dryRun, scan.Messages.Count, scan.Truncated, results);
    }

    /// <summary>Every basic property as it was (MessageId included); headers without the fault ones, plus the replay count.</summary>
    public static BasicProperties CopyForReplay(IReadOnlyBasicProperties original) =>
        new(original) { Headers = FaultHeaders.ForReplay(original.Headers) };

    internal static async Task RequireErrorQueueAsync(ErrorQueueBroker broker, string queue, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(queue))
            throw new OperationsUsageException("name the error queue, e.g. 'ingest-validate_error' (see 'busctl errors list')");
        if (!ErrorQueueCatalog.IsErrorQueue(queue))
            throw new OperationsUsageException($"'{queue}' is not an error queue: their names end in _error or _skipped (see 'busctl errors list')");
        if (await broker.ReadyCountAsync(queue, cancellationToken) is null)
            throw new OperationsUsageException($"queue '{queue}' does not exist (see 'busctl errors list')");
    }
}
