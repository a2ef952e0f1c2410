using Bus.Contracts.Deletion;
using Bus.Contracts.Ingest;
using Bus.Notifications.Data;
using Bus.Persistence.Transactions;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Bus.Notifications.Dispatch;

/// <summary>
/// Notifications from the workflows' public events (published through their outbox when the saga commits the
/// outcome): ingest failed or faulted, deletion awaiting approval and each way it ends. They are not registry alerts:
/// an alert is something an operator must acknowledge, while these are outcomes people are told about.
/// Every message is input: the institution and identifier come from the saga's own row, and an event naming no
/// saga of this database is dropped (logged), so a stray or forged event tells nobody anything.
/// </summary>
public sealed class WorkflowEventsConsumer(MessageTransaction tx, NoticeFanOut fanOut, ILogger<WorkflowEventsConsumer> logger) :
    IConsumer<IngestFailed>, IConsumer<IngestFaulted>,
    IConsumer<DeletionRequested>, IConsumer<DeletionCompleted>, IConsumer<DeletionRejected>,
    IConsumer<DeletionCancelled>, IConsumer<DeletionExpired>, IConsumer<DeletionFaulted>
{
    public async Task Consume(ConsumeContext<IngestFailed> context)
    {
        var m = context.Message;
        if (await IngestOfAsync(m.IngestId, context.CancellationToken) is not { } ingest) return;
        var (institution, name) = ingest;
        await NotifyAsync(context, NotificationKinds.IngestFailed, m.IngestId, institution, name,
            $"Ingest {m.IngestId} of {name ?? "an unknown bag"} failed at {m.Step}{(m.Code is null ? "" : $" ({m.Code})")}: {m.Reason}", m.FailedAt);
    }

    public async Task Consume(ConsumeContext<IngestFaulted> context)
    {
        var m = context.Message;
        if (await IngestOfAsync(m.IngestId, context.CancellationToken) is not { } ingest) return;
        var (institution, name) = ingest;
        await NotifyAsync(context, NotificationKinds.IngestFaulted, m.IngestId, institution, name,
            $"Ingest {m.IngestId} of {name ?? "an unknown bag"} is parked: its {m.Step} step faulted after every retry ({m.Error}). Replay it from the step's error queue once the cause is fixed.", m.FaultedAt);
    }

    public Task Consume(ConsumeContext<DeletionRequested> context) => Deletion(context, NotificationKinds.DeletionRequested, context.Message.RequestId,
        context.Message.Identifier, $"{context.Message.RequestedBy} asks to delete {context.Message.Identifier} ({context.Message.Reason}); " +
        $"another institutional admin must approve or reject it before {context.Message.ExpiresAt:u}.");

    public Task Consume(ConsumeContext<DeletionCompleted> context) => Deletion(context, NotificationKinds.DeletionCompleted, context.Message.RequestId,
        context.Message.Identifier, $"{context.Message.Identifier} was deleted ({context.Message.CopiesRemoved} copies removed).", context.Message.DeletedAt);

    public Task Consume(ConsumeContext<DeletionRejected> context) => Deletion(context, NotificationKinds.DeletionRejected, context.Message.RequestId,
        context.Message.Identifier, $"The deletion of {context.Message.Identifier} was rejected by {context.Message.RejectedBy}{(context.Message.Comment is { } c ? $": {c}" : ".")}");

    public Task Consume(ConsumeContext<DeletionCancelled> context) => Deletion(context, NotificationKinds.DeletionCancelled, context.Message.RequestId,
        context.Message.Identifier, $"The deletion of {context.Message.Identifier} was cancelled by {context.Message.CancelledBy}.");

    public Task Consume(ConsumeContext<DeletionExpired> context) => Deletion(context, NotificationKinds.DeletionExpired, context.Message.RequestId,
        context.Message.Identifier, $"The deletion request for {context.Message.Identifier} expired without a decision; nothing was deleted.");

    public Task Consume(ConsumeContext<DeletionFaulted> context) => Deletion(context, NotificationKinds.DeletionFaulted, context.Message.RequestId,
        context.Message.Identifier, $"The deletion of {context.Message.Identifier} keeps failing ({context.Message.Reason}); it is not marked deleted. Replay the step's error queue once the cause is fixed.");

    private async Task Deletion(ConsumeContext context, string kind, Guid requestId, string identifier, string message, DateTimeOffset? at = null)
    {
        await using var command = tx.CreateCommand("SELECT institution, identifier FROM bus.deletion_requests WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", requestId);
        string institution, recorded;
        await using (var reader = await command.ExecuteReaderAsync(context.CancellationToken))
        {
            if (!await reader.ReadAsync(context.CancellationToken))
            {
                logger.LogWarning("{Kind} for deletion request {RequestId} that this database does not hold: nobody told", kind, requestId);
                return;
            }
            (institution, recorded) = (reader.GetString(0), reader.GetString(1));
        }
        if (recorded != identifier) message = message.Replace(identifier, recorded, StringComparison.Ordinal);
        await NotifyAsync(context, kind, requestId, institution, recorded, message, at ?? context.SentTime ?? DateTimeOffset.UtcNow);
    }

    private async Task NotifyAsync(ConsumeContext context, string kind, Guid workflowId, string? institution, string? identifier, string message, DateTimeOffset at)
    {
        var store = new NotificationStore(tx.Connection, tx.Transaction);
        var notice = new Notice(NoticeIds.ForEvent(kind, workflowId), kind, NotificationSources.Event, institution, identifier, message, at).Bounded();
        if (await store.AddAsync(notice, context.CancellationToken))
            await fanOut.FanOutAsync(context, store, [notice]);
    }

    /// <summary>The ingest's institution and what it names (object identifier once known, else the tar's key), from its saga row.</summary>
    private async Task<(string Institution, string? Name)?> IngestOfAsync(Guid ingestId, CancellationToken cancellationToken)
    {
        await using var command = tx.CreateCommand(
            "SELECT institution, coalesce(object_identifier, bag_name, key) FROM bus.ingest_saga WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken)) return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        logger.LogWarning("Outcome of ingest {IngestId} that this database does not hold: nobody told", ingestId);
        return null;
    }
}
