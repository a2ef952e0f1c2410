using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// The headers MassTransit writes when it moves a message to <c>&lt;queue&gt;_error</c>,
/// how to read them, and which ones a replay removes.
/// </summary>
public static class FaultHeaders
{
    public const string Reason = "MT-Reason";
    public const string FaultPrefix = "MT-Fault-";
    public const string HostPrefix = "MT-Host-";
    public const string ExceptionType = "MT-Fault-ExceptionType";
    public const string Message = "MT-Fault-Message";
    public const string StackTrace = "MT-Fault-StackTrace";
    public const string Timestamp = "MT-Fault-Timestamp";
    public const string ConsumerType = "MT-Fault-ConsumerType";
    public const string MessageType = "MT-Fault-MessageType";
    public const string InputAddress = "MT-Fault-InputAddress";
    public const string RetryCount = "MT-Fault-RetryCount";

    /// <summary>Added by busctl: how many times this message was returned from an error queue.</summary>
    public const string ReplayCount = "MT-Replay-Count";

    /// <summary>Headers that describe the failure rather than the message: a replayed copy must not carry them.</summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith(FaultPrefix, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase)
        || name.Equals(Reason, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The headers of the copy sent back on replay: every header except the fault ones, in the
    /// original order, plus <see cref="ReplayCount"/> one higher than before.
    /// </summary>
    public static Dictionary<string, object?> ForReplay(IDictionary<string, object?>? headers)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var previous = 0L;
        if (headers is not null)
            foreach (var (name, value) in headers)
            {
                if (IsFaultHeader(name)) continue;
                if (name.Equals(ReplayCount, StringComparison.OrdinalIgnoreCase))
                {
                    previous = AsLong(value) ?? 0;
                    continue;
                }
                result[name] = value;
            }
        result[ReplayCount] = previous + 1;
        return result;
    }

    public static int ReplayCountOf(IDictionary<string, object?>? headers) =>
        headers is not null && headers.TryGetValue(ReplayCount, out var v) ? (int)(AsLong(v) ?? 0) : 0;

    /// <summary>A header as text: RabbitMQ.Client hands AMQP long strings over as UTF-8 bytes.</summary>
    public static string? Text(IDictionary<string, object?>? headers, string name)
    {
        if (headers is null || !headers.TryGetValue(name, out var value)) return null;
        return AsText(value);
    }

    public static string? AsText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        AmqpTimestamp t => DateTimeOffset.FromUnixTimeSeconds(t.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable<object?> list => string.Join(";", list.Select(AsText)),
        _ => value.ToString(),
    };

    public static DateTimeOffset? AsTimestamp(object? value) => value switch
    {
        AmqpTimestamp t => DateTimeOffset.FromUnixTimeSeconds(t.UnixTime),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)),
        DateTimeOffset d => d,
        _ => DateTimeOffset.TryParse(AsText(value), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed : null,
    };

    private static long? AsLong(object? value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        uint ui => ui,
        ushort us => us,
        _ => long.TryParse(AsText(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
    };
}
