namespace Bus.Persistence.Database;

// The persistence tables as EF Core sees them: for the migration model and for reading them (tests,
// tools). The runtime writes them with plain SQL batches, which is what keeps a message to one transaction.

public sealed class InboxStateRow
{
    public Guid MessageId { get; set; }
    public Guid ConsumerId { get; set; }
    public string ConsumerType { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public int ReceiveCount { get; set; }
    public DateTime? ConsumedAt { get; set; }
}

public sealed class OutboxStateRow
{
    public Guid OutboxId { get; set; }
    public Guid? SourceMessageId { get; set; }
    public Guid? ConsumerId { get; set; }
    /// <summary>The RabbitMQ virtual host of the writer: only processes connected to it deliver the group (NULL: written before scoping, anyone may).</summary>
    public string? VirtualHost { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>Failed delivery attempts so far; the last one's error; when delivery may try again.</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    /// <summary>Set when delivery gave up on the group (too large, or too many failures): kept, skipped, shown to operators.</summary>
    public DateTime? ParkedAt { get; set; }
    public string? ParkedReason { get; set; }
    /// <summary>An operator discarded the parked group (busctl outbox discard); cleanup deletes it later.</summary>
    public DateTime? DiscardedAt { get; set; }
    public string? DiscardedBy { get; set; }
}

public sealed class OutboxMessageRow
{
    public long SequenceNumber { get; set; }
    public Guid OutboxId { get; set; }
    public Guid MessageId { get; set; }
    public string DestinationAddress { get; set; } = "";
    public string MessageType { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Headers { get; set; }
    public string? Properties { get; set; }
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public string? SourceAddress { get; set; }
    public string? ResponseAddress { get; set; }
    public string? FaultAddress { get; set; }
    public DateTime SentTime { get; set; }
    public DateTime? ExpirationTime { get; set; }
}

public sealed class ScheduledMessageRow
{
    public Guid TokenId { get; set; }
    public DateTime DueAt { get; set; }
    public Guid MessageId { get; set; }
    public string DestinationAddress { get; set; } = "";
    public string MessageType { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Headers { get; set; }
    public string? Properties { get; set; }
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public string? SourceAddress { get; set; }
    public string? ResponseAddress { get; set; }
    public string? FaultAddress { get; set; }
    public DateTime SentTime { get; set; }
    public DateTime? ExpirationTime { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The RabbitMQ virtual host of the writer: only schedulers connected to it send the row (NULL: written before scoping, anyone may).</summary>
    public string? VirtualHost { get; set; }
}

public sealed class SagaTransitionRow
{
    public long Id { get; set; }
    public string SagaType { get; set; } = "";
    public Guid CorrelationId { get; set; }
    public string? FromState { get; set; }
    public string ToState { get; set; } = "";
    public string? Event { get; set; }
    public Guid? MessageId { get; set; }
    public string Host { get; set; } = "";
    public DateTime OccurredAt { get; set; }
}
