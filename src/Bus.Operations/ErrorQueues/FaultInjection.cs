namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Test hook for the crash-safety test: with <c>BUS_OPERATIONS_PAUSE_BEFORE_ACK=1</c> in the Test
/// environment, a replay stops after the broker confirmed the copies of its first batch and before any
/// of their originals is acknowledged, names the first of them on stderr, and waits to be killed.
/// Inert everywhere else.
/// </summary>
internal static class FaultInjection
{
    public const string Variable = "BUS_OPERATIONS_PAUSE_BEFORE_ACK";
    public const string Marker = "paused-before-ack";

    public static async Task BeforeAcknowledgeAsync(string? messageId, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1"
            || !string.Equals(Bus.Platform.BusConfiguration.EnvironmentName, "Test", StringComparison.OrdinalIgnoreCase)) return;
        await Console.Error.WriteLineAsync($"{Marker} {messageId}");
        await Console.Error.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
