using System.Collections;
using RabbitMQ.Client;

namespace Bus.Tests.Operations;

/// <summary>Structural equality of AMQP header values (byte strings, tables, arrays), type included.</summary>
internal static class AmqpValues
{
    public static bool DeepEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (BinaryTableValue x, BinaryTableValue y) => x.Bytes.AsSpan().SequenceEqual(y.Bytes),
        (IDictionary<string, object?> x, IDictionary<string, object?> y) =>
            x.Keys.SequenceEqual(y.Keys) && x.All(kv => DeepEqual(kv.Value, y[kv.Key])),
        (IList x, IList y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => DeepEqual(x[i], y[i])),
        _ => a.GetType() == b.GetType() && a.Equals(b),
    };
}
