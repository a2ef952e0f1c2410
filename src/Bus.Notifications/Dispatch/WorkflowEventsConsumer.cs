using Bus.Contracts.Deletion;
using Bus.Contracts.Ingest;
using Bus.Notifications.Data;
using Bus.Persistence.Transactions;
using MassTransit;

namespace Bus.Notifications.Dispatch;

/// <summary>
/// Notifications from the workflows' public events (published through their outbox when the saga commits the
/// outcome): ingest failed or faulted, deletion awaiting approval and each way it ends. They are not registry alerts:
/// an alert is something an operator must acknowledge, while these are outcomes people are told about.
/// </summary>
public sealed class WorkflowEventsConsumer(MessageTransaction tx, NoticeFanOut fanOut) :
    IConsumer<IngestFailed>, IConsumer<IngestFaulted>,
    IConsumer<DeletionRequested>, IConsumer<DeletionCompleted>, IConsumer<DeletionRejected>,
    IConsumer<DeletionCancelled>, IConsumer<DeletionExpired>, IConsumer<DeletionFaulted>
{
    public async Task Consume(ConsumeContext<IngestFailed> context)
    {
        var m = context.Message;
        var (institution, name) = await IngestOfAsync(m.IngestId, context.CancellationToken);
        await NotifyAsync(context, NotificationKinds.IngestFailed, m.IngestId, institution, name,
            $"Ingest {m.IngestId} of {name ?? "an unknown bag"} failed at {m.Step}{(m.Code is null ? "" : $" ({m.Code})")}: {m.Reason}", m.FailedAt);
    }

    public async Task Consume(ConsumeContext<IngestFaulted> context)
    {
        var m = context.Message;
        var (institution, name) = await IngestOfAsync(m.IngestId, context.CancellationToken);
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

    private Task Deletion(ConsumeContext context, string kind, Guid requestId, string identifier, string message, DateTimeOffset? at = null) =>
        NotifyAsync(context, kind, requestId, Notice.InstitutionOf(identifier), identifier, message, at ?? context.SentTime ?? DateTimeOffset.UtcNow);

    private async Task NotifyAsync(ConsumeContext context, string kind, Guid workflowId, string? institution, string? identifier, string message, DateTimeOffset at)
    {
        var store = new NotificationStore(tx.Connection, tx.Transaction);
        var notice = new Notice(NoticeIds.ForEvent(kind, workflowId), kind, NotificationSources.Event, institution, identifier, message, at).Bounded();
        if (await store.AddAsync(notice, context.CancellationToken))
            await fanOut.FanOutAsync(context, store, [notice]);
    }

    /// <summary>The ingest's institution and what it names (object identifier once known, else the tar's key), from its saga row.</summary>
    private async Task<(string? Institution, string? Name)> IngestOfAsync(Guid ingestId, CancellationToken cancellationToken)
    {
        await using var command = tx.CreateCommand(
            "SELECT institution, coalesce(object_identifier, bag_name, key) FROM bus.ingest_saga WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", ingestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : (null, null);
    }
}
