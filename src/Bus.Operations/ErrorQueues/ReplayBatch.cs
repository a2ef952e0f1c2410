using Bus.Operations.Audit;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Up to <c>Bus:Operations:ReplayBatchSize</c> selected messages of one replay, sent back together:
/// an audit row <c>publishing</c> for each, every copy published, all confirms awaited, and only then
/// each original whose copy the broker confirmed is acknowledged (removed from the error queue).
/// A nacked, returned or unconfirmed copy leaves its original where it is, whatever happened to the
/// others; an interruption anywhere leaves every original of the batch in the error queue and some
/// copies possibly delivered too, never neither.
/// </summary>
internal sealed class ReplayBatch(ErrorQueueScan scan, ConfirmingPublisher publisher, ErrorAudit audit, string queue, string actor, int size)
{
    private readonly List<(ErrorMessage Message, string? Target, string? Problem)> _items = new(size);

    public bool IsFull => _items.Count >= size;

    /// <param name="problem">Why this message cannot be sent (it is audited and reported as failed), or null.</param>
    public void Add(ErrorMessage message, string? target, string? problem) => _items.Add((message, target, problem));

    public async Task<IReadOnlyList<ReplayedMessage>> SendAsync(CancellationToken cancellationToken)
    {
        if (_items.Count == 0) return [];
        var auditIds = await audit.StartAsync(actor, "replay", queue, _items.Select(i => (i.Message.MessageId, i.Target)).ToList(), cancellationToken);
        var problems = _items.Select(i => i.Problem).ToArray();
        var sent = Enumerable.Range(0, _items.Count).Where(i => problems[i] is null).ToList();
        var failures = await publisher.PublishAllAsync(
            sent.Select(i => new QueuedCopy(_items[i].Target!, ErrorQueueService.CopyForReplay(_items[i].Message.Properties), _items[i].Message.Body)).ToList(),
            cancellationToken);
        for (var k = 0; k < sent.Count; k++) problems[sent[k]] = failures[k];

        var confirmed = sent.Where(i => problems[i] is null).ToList();
        if (confirmed.Count > 0) await FaultInjection.BeforeAcknowledgeAsync(_items[confirmed[0]].Message.MessageId, cancellationToken);
        foreach (var i in confirmed) await scan.AcknowledgeAsync(_items[i].Message, cancellationToken);

        await audit.FinishAsync(Enumerable.Range(0, _items.Count)
            .Select(i => (auditIds[i], problems[i] is null ? "replayed" : "failed", problems[i])).ToList(), CancellationToken.None);
        var results = _items.Select((item, i) => new ReplayedMessage(item.Message.Position, item.Message.MessageId, item.Target,
            problems[i] is null ? ReplayOutcome.Replayed : ReplayOutcome.Failed, problems[i])).ToList();
        _items.Clear();
        return results;
    }
}
