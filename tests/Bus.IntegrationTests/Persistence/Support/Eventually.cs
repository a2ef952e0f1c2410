namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>
/// Waits for an outcome of asynchronous messaging. The limit only stops a broken run from hanging; it is
/// far above how long a passing run takes and is never what a test asserts.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("BUS_TEST_WAIT_SECONDS"), out var s) ? s : 60);

    public static async Task<T> WaitFor<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for {what}; last value: {value}");
            await Task.Delay(100);
        }
    }
}
