using System.Text;
using System.Text.Json;
using Bus.Operations.Sagas;

namespace Bus.Operations.ErrorQueues;

/// <summary>Everything <c>errors show</c> prints about one message.</summary>
public sealed record ErrorMessageView(
    int Position,
    string? MessageId,
    IReadOnlyList<string> MessageTypes,
    string? ExceptionType,
    string? ExceptionMessage,
    string? Reason,
    DateTimeOffset? FaultTimestamp,
    string? InputAddress,
    string? ConsumerType,
    string? RetryCount,
    int ReplayCount,
    Guid? CorrelationId,
    IReadOnlyDictionary<string, string?> Properties,
    IReadOnlyDictionary<string, string?> FaultHeaders,
    IReadOnlyDictionary<string, string?> HostHeaders,
    IReadOnlyDictionary<string, string?> OtherHeaders,
    string Body,
    string? StackTrace,
    SagaSnapshot? Saga)
{
    public static ErrorMessageView From(ErrorMessage m, SagaSnapshot? saga)
    {
        var headers = m.Properties.Headers ?? new Dictionary<string, object?>();
        Dictionary<string, string?> Pick(Func<string, bool> which) =>
            headers.Where(h => which(h.Key)).ToDictionary(h => h.Key, h => ErrorQueues.FaultHeaders.AsText(h.Value), StringComparer.Ordinal);
        var p = m.Properties;
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["messageId"] = p.MessageId,
            ["correlationId"] = p.CorrelationId,
            ["contentType"] = p.ContentType,
            ["deliveryMode"] = p.IsDeliveryModePresent() ? p.DeliveryMode.ToString() : null,
            ["timestamp"] = p.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(p.Timestamp.UnixTime).ToString("O") : null,
            ["type"] = p.Type,
            ["replyTo"] = p.ReplyTo,
            ["expiration"] = p.Expiration,
        };
        return new ErrorMessageView(
            m.Position, m.MessageId, m.MessageTypes, m.ExceptionType,
            m.Header(ErrorQueues.FaultHeaders.Message), m.Header(ErrorQueues.FaultHeaders.Reason), m.FaultTimestamp,
            m.Header(ErrorQueues.FaultHeaders.InputAddress), m.Header(ErrorQueues.FaultHeaders.ConsumerType),
            m.Header(ErrorQueues.FaultHeaders.RetryCount), ErrorQueues.FaultHeaders.ReplayCountOf(headers), m.CorrelationId,
            properties.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Pick(k => (k.StartsWith(ErrorQueues.FaultHeaders.FaultPrefix, StringComparison.OrdinalIgnoreCase) && k != ErrorQueues.FaultHeaders.StackTrace)
                || k == ErrorQueues.FaultHeaders.Reason),
            Pick(k => k.StartsWith(ErrorQueues.FaultHeaders.HostPrefix, StringComparison.OrdinalIgnoreCase)),
            Pick(k => !ErrorQueues.FaultHeaders.IsFaultHeader(k)),
            RenderBody(m.Body),
            m.Header(ErrorQueues.FaultHeaders.StackTrace),
            saga);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Indented JSON when the body is JSON, else UTF-8 text, else base64 (never a lossy guess presented as the body).</summary>
    public static string RenderBody(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
            }
            catch (DecoderFallbackException)
            {
                return "base64:" + Convert.ToBase64String(body);
            }
        }
    }
}
