namespace Bus.Notifications;

/// <summary>
/// Kinds of the notifications made from workflow events (alerts keep the registry's own kinds: fixity-mismatch,
/// lost, repaired, and whatever other modules raise). Stable strings: recipients filter on them.
/// </summary>
public static class NotificationKinds
{
    public const string IngestFailed = "ingest-failed";
    public const string IngestFaulted = "ingest-faulted";
    public const string DeletionRequested = "deletion-requested";
    public const string DeletionCompleted = "deletion-completed";
    public const string DeletionRejected = "deletion-rejected";
    public const string DeletionCancelled = "deletion-cancelled";
    public const string DeletionExpired = "deletion-expired";
    public const string DeletionFaulted = "deletion-faulted";
}

/// <summary>Where a notification came from: a registry alert (<c>registry.alerts</c>) or a workflow's published event.</summary>
public static class NotificationSources
{
    public const string Alert = "alert";
    public const string Event = "event";
}

public static class NotificationChannels
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}
