using Bus.IntegrationTests.Ingest;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Watchdog;

/// <summary>
/// Issue 16 item 4: a step command dropped on the floor. The host is killed inside Store (its S3 frozen, so the step
/// is surely inside), the StoreFiles message it held goes back to the ingest-store queue, and the test purges it there:
/// the saga waits in Storing for a message that no longer exists. The scheduler role's watchdog (limit 8 s here)
/// sends the command again; when its re-sends run out it raises a stuck-saga alert instead.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_a_step_command_is_lost
{
    private static Dictionary<string, string> Watchdog(int maxResends, OwnS3Server s3) => new()
    {
        ["Bus__Storage__ServiceUrl"] = s3.Url,
        ["Bus__Watchdog__PollSeconds"] = "1",
        ["Bus__Watchdog__LimitSeconds__ingest"] = "8",
        ["Bus__Watchdog__MaxResends"] = maxResends.ToString(),
    };

    [Fact]
    public async Task The_watchdog_sends_it_again_and_the_ingest_completes()
    {
        await using var s3 = await OwnS3Server.StartAsync();
        await using var stack = await IngestStack.StartAsync(Watchdog(3, s3));
        var id = await LoseStoreFilesAsync(stack, s3);

        await stack.StartHostAsync();
        await stack.WaitForStateAsync(id, "Completed");
        var watch = await stack.QueryAsync("SELECT state, resends, alerted_at IS NULL FROM bus.saga_watch WHERE saga_type = 'ingest' AND correlation_id = @id",
            r => (r.GetString(0), r.GetInt32(1), r.GetBoolean(2)), ("id", id));
        // The row is forgotten once the saga moved on; while it lasted it counted one re-send in Storing and no alert.
        Assert.True(watch.Count == 0 || watch.Single() is ("Storing", >= 1, true), $"saga_watch: {string.Join(",", watch)}");
        Assert.Contains("sent its step command StoreFiles again (1 of 3)", stack.Host!.Process.Stdout);
        await stack.AssertOneRecordedCopyPerBucketAsync($"{stack.Institution}/{(await ObjectNameAsync(stack, id))}");
    }

    [Fact]
    public async Task When_the_resends_run_out_a_stuck_saga_alert_is_raised_and_late_commands_are_harmless()
    {
        await using var s3 = await OwnS3Server.StartAsync();
        await using var stack = await IngestStack.StartAsync(Watchdog(2, s3));
        var id = await LoseStoreFilesAsync(stack, s3);

        // A scheduler without the ingest role: the watchdog's re-sends wait in ingest-store, unconsumed, as if lost too.
        await using (var scheduler = RunningHost.Start(stack.Environment, "--roles", "scheduler"))
        {
            await scheduler.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            var alert = await PollAsync(async () => (await stack.QueryAsync(
                "SELECT message FROM registry.alerts WHERE kind = 'stuck-saga' AND message LIKE @m",
                r => r.GetString(0), ("m", $"ingest {id} %"))).SingleOrDefault(), scheduler);
            Assert.Contains("stuck in Storing", alert);
            Assert.Contains("sent again 2 times", alert);
            var watch = await stack.QueryAsync("SELECT state, resends, alerted_at IS NOT NULL FROM bus.saga_watch WHERE saga_type = 'ingest' AND correlation_id = @id",
                r => (r.GetString(0), r.GetInt32(1), r.GetBoolean(2)), ("id", id));
            Assert.Equal([("Storing", 2, true)], watch);
            // Exactly the bounded number of re-sends, and none after the alert.
            await Task.Delay(TimeSpan.FromSeconds(10));
            Assert.Equal(2u, await stack.VirtualHost.MessageCountAsync("ingest-store"));
            Assert.Single(await stack.QueryAsync("SELECT id FROM registry.alerts WHERE kind = 'stuck-saga' AND message LIKE @m",
                r => r.GetGuid(0), ("m", $"ingest {id} %")));
        }

        // Both late re-sends reach an ingest host: one carries the ingest on, the other finds the work done; nothing forks or parks.
        await stack.StartHostAsync();
        await stack.WaitForStateAsync(id, "Completed");
        await stack.AssertOneRecordedCopyPerBucketAsync($"{stack.Institution}/{(await ObjectNameAsync(stack, id))}");
        await PollAsync(async () => await stack.VirtualHost.MessageCountAsync("ingest-store") == 0 ? "drained" : null, stack.Host!);
        foreach (var queue in (await stack.VirtualHost.QueuesAsync()).Keys.Where(q => q.EndsWith("_error", StringComparison.Ordinal) || q.EndsWith("_skipped", StringComparison.Ordinal)))
            Assert.True(await stack.VirtualHost.MessageCountAsync(queue) == 0, $"{queue} holds messages\nhost: {stack.Host!.Process.Stdout}");
    }

    /// <summary>Submits a small bag, kills the host inside Store and purges the StoreFiles it held: returns the ingest id.</summary>
    private static async Task<Guid> LoseStoreFilesAsync(IngestStack stack, OwnS3Server s3)
    {
        var id = await stack.SubmitAsync(new TestBag("lost-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(100));
        await PollAsync(async () => (await stack.QueryAsync("SELECT store_started_at IS NOT NULL FROM bus.ingest_saga WHERE correlation_id = @id",
            r => r.GetBoolean(0), ("id", id))) is [true] ? "started" : null, stack.Host!, pause: 10);
        s3.Freeze();
        await stack.KillHostAsync();
        Assert.Equal([false], await stack.QueryAsync("SELECT store_finished_at IS NOT NULL FROM bus.ingest_saga WHERE correlation_id = @id",
            r => r.GetBoolean(0), ("id", id)));
        // The broker gives the killed consumer's unacknowledged StoreFiles back to the queue; then it is lost for good.
        await PollAsync(async () => await stack.VirtualHost.MessageCountAsync("ingest-store") == 1 ? "requeued" : null, null);
        await stack.VirtualHost.PurgeAsync("ingest-store");
        Assert.Equal(0u, await stack.VirtualHost.MessageCountAsync("ingest-store"));
        s3.Thaw();
        Assert.Equal(["Storing"], await stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id)));
        return id;
    }

    private static async Task<string> ObjectNameAsync(IngestStack stack, Guid id) =>
        (await stack.QueryAsync("SELECT bag_name FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).Single();

    private static async Task<string> PollAsync(Func<Task<string?>> value, RunningHost? host, int pause = 250)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await value() is { } v) return v;
            await Task.Delay(pause);
        }
        throw new TimeoutException($"gave up waiting\nhost: {host?.Process.Stdout}");
    }
}
