namespace Bus.Notifications;

/// <summary>
/// One thing to tell people, stored once in <c>bus.notifications</c>: for an alert its id is the alert's, for a
/// workflow event it is derived from the event (<see cref="NoticeIds"/>), so a redelivered event adds nothing.
/// </summary>
public sealed record Notice(Guid Id, string Kind, string Source, string? Institution, string? Identifier, string Message, DateTimeOffset OccurredAt)
{
    /// <summary>Longest message kept: alert and failure texts are bounded before they reach a mail or a webhook body.</summary>
    public const int MaxMessageLength = 4000;

    public Notice Bounded() => Message.Length <= MaxMessageLength ? this : this with { Message = Message[..MaxMessageLength] + "…" };

    /// <summary>The institution of an identifier (<c>institution/bag[/path]</c>): its first segment.</summary>
    public static string? InstitutionOf(string? identifier)
    {
        if (string.IsNullOrEmpty(identifier)) return null;
        var slash = identifier.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? identifier[..slash] : null;
    }
}

/// <summary>Ids made from what they name (UUID v5), so every retry or redelivery finds the same row.</summary>
public static class NoticeIds
{
    public static readonly Guid Namespace = new("3b0f7d6e-2a1c-4f58-9e43-7c5d1a8b6f20");

    public static Guid ForEvent(string kind, Guid workflowId) => Contracts.Ingest.IngestIds.NameBased(Namespace, $"event\n{kind}\n{workflowId:D}");

    /// <summary>One delivery per (notification, channel, recipient): the receiver dedupes on it (X-Bus-Delivery, Idempotency-Key).</summary>
    public static Guid Delivery(Guid noticeId, string channel, string target) =>
        Contracts.Ingest.IngestIds.NameBased(Namespace, $"delivery\n{noticeId:D}\n{channel}\n{target}");
}
