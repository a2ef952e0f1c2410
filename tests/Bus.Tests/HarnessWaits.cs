using MassTransit.Testing;

namespace Bus.Tests;

/// <summary>
/// How the fast tier waits on MassTransit's in-memory harness. A harness whose bus was idle for TestInactivityTimeout
/// (default 1.2 s) cancels its inactivity token for good, and from then on every <c>Any</c> answers at once from what is
/// already recorded: under CI load a positive wait could answer false before the consumer ran. So harnesses here use
/// <see cref="Patient"/> (a positive <c>Any</c> waits up to <see cref="Timeout"/>), and a negative assertion first waits
/// for a positive condition proving the saga or consumer got that far, then reads the record as it is with
/// <see cref="Recorded"/> (so it never waits for inactivity, which would now take a minute).
/// </summary>
public static class HarnessWaits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Positive waits end when the message arrives or after <see cref="Timeout"/>, not after a quiet moment.</summary>
    public static ITestHarness Patient(this ITestHarness harness)
    {
        harness.TestTimeout = Timeout;
        harness.TestInactivityTimeout = Timeout;
        return harness;
    }

    /// <summary>For <c>Any(filter, Recorded)</c>: only what the harness has recorded so far, without waiting.</summary>
    public static CancellationToken Recorded => new(canceled: true);

    /// <summary>
    /// Waits until <paramref name="count"/> (read from the record with <see cref="Recorded"/>) reaches <paramref name="expected"/>,
    /// at most <see cref="Timeout"/>, then asserts it is exactly that: a count that should stay 0 is asserted at once, so
    /// call it after a positive wait that proves the saga or consumer got far enough.
    /// </summary>
    public static async Task CountIsAsync(int expected, Func<int> count, string? what = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (count() < expected && DateTime.UtcNow < deadline) await Task.Delay(20);
        var actual = count();
        Assert.True(actual == expected, $"{what ?? "count"}: {actual}, expected {expected}");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, at most <see cref="Timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
