namespace Bus.Operations.ErrorQueues;

/// <summary>Failures of one message type with one exception type: what an operator replays or archives together.</summary>
public sealed record FailureGroup(string MessageType, string ExceptionType, int Count, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen)
{
    public static IReadOnlyList<FailureGroup> Of(IEnumerable<ErrorMessage> messages) =>
        messages
            .GroupBy(m => (m.PrimaryMessageType, ExceptionType: m.ExceptionType ?? "(none)"))
            .Select(g => new FailureGroup(g.Key.PrimaryMessageType, g.Key.ExceptionType, g.Count(),
                g.Min(m => m.FaultTimestamp), g.Max(m => m.FaultTimestamp)))
            .OrderByDescending(g => g.Count).ThenBy(g => g.MessageType, StringComparer.Ordinal).ThenBy(g => g.ExceptionType, StringComparer.Ordinal)
            .ToList();
}

/// <summary>One error queue in <c>errors list</c>.</summary>
/// <param name="Messages">Ready messages when counted (exact, over AMQP).</param>
/// <param name="Scanned">How many were read to build <paramref name="Groups"/>.</param>
/// <param name="Truncated">More messages than Bus:Operations:MaxScanMessages: groups cover the first ones only.</param>
public sealed record ErrorQueueSummary(string Name, string? Type, long Messages, int Scanned, bool Truncated, IReadOnlyList<FailureGroup> Groups);
