namespace Bus.Notifications.Messages;

/// <summary>Look for alerts not yet notified (sent by each notify host every poll interval, with a time to live of one interval).</summary>
public sealed record DispatchAlerts(DateTimeOffset At);

/// <summary>Attempt one delivery (one webhook call or one email); carries the id only, the row holds the rest.</summary>
public sealed record DeliverNotification(Guid DeliveryId);

/// <summary>
/// Attempt a delivery recorded as failed once more, with a fresh round of attempts (busctl notifications resend). The
/// consumer re-checks the row: only a delivery still failed is reset; any other is left as it is.
/// </summary>
public sealed record ResendNotification(Guid DeliveryId, string RequestedBy);
