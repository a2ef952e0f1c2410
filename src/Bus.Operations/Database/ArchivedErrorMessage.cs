namespace Bus.Operations.Database;

/// <summary>
/// A message moved out of an error queue. <see cref="Properties"/> holds every basic property and
/// header with its AMQP type (<see cref="Archive.AmqpPropertiesCodec"/>), so restore is byte for byte.
/// </summary>
public sealed class ArchivedErrorMessage
{
    public long Id { get; set; }
    public string Queue { get; set; } = "";
    public string? MessageId { get; set; }
    public string? MessageType { get; set; }
    public string? ExceptionType { get; set; }
    public DateTimeOffset? FaultTimestamp { get; set; }
    public DateTimeOffset ArchivedAt { get; set; }
    public string ArchivedBy { get; set; } = "";
    public string Properties { get; set; } = "";
    public byte[] Body { get; set; } = [];
}
