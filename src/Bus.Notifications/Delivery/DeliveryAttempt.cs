namespace Bus.Notifications.Delivery;

/// <summary>How one attempt went: delivered, or the reason it was not (bounded, for the delivery row and the log).</summary>
public sealed record DeliveryAttempt(bool Delivered, string? Error)
{
    public const int MaxErrorLength = 500;

    public static readonly DeliveryAttempt Ok = new(true, null);

    public static DeliveryAttempt Failed(string error) => new(false, error.Length <= MaxErrorLength ? error : error[..MaxErrorLength] + "…");
}

/// <summary>One channel: sends one notification to one recipient, within the configured timeout, never throwing for the receiver's faults.</summary>
public interface INotificationChannel
{
    string Name { get; }
    Task<DeliveryAttempt> SendAsync(Guid deliveryId, int attempt, string target, Notice notice, CancellationToken cancellationToken);
}
