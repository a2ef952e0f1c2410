using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_an_ingest_step_keeps_failing_transiently
{
    [Fact]
    public async Task It_is_redelivered_through_the_scheduler_then_faulted_and_a_replay_resumes_it()
    {
        // S3 frozen from just after Unpack: the next step's S3 calls time out (transient) on every attempt.
        await using var s3 = await OwnS3Server.StartAsync();
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Storage__ServiceUrl"] = s3.Url,
            ["Bus__Storage__TimeoutSeconds"] = "1",
            ["Bus__Ingest__RetryLimit"] = "1",
            ["Bus__Ingest__RedeliveryLimit"] = "1",
            ["Bus__Ingest__RedeliveryDelay"] = "00:00:03",
            ["Bus__Persistence__SchedulerPollInterval"] = "00:00:00.500",
        });
        var vhost = stack.Environment["Bus__RabbitMq__VirtualHost"];
        var bag = new TestBag("redeliver-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(300);
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--json");
        var id = Guid.Parse(JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetString()!);

        await WaitAsync(async () => await CountAsync(stack, "SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id", id) > 0, "Unpack to finish");
        s3.Freeze();

        // Retries spent, the step's command (Identify's, or Store's if Identify was quicker than the
        // freeze) waits in bus.scheduled_message, as this vhost's row, to be redelivered.
        string? redelivered = null;
        await WaitAsync(async () => (redelivered = (await stack.QueryAsync("""
            SELECT destination_address FROM bus.scheduled_message WHERE virtual_host = @vhost AND destination_address LIKE '%/ingest-%'
              AND body LIKE '%' || @id::text || '%'
            """, r => r.GetString(0), ("id", id), ("vhost", vhost))).FirstOrDefault()) is not null, "a scheduled redelivery of the step");
        await WaitAsync(async () => await StateAsync(stack, id) == "Faulted", "the saga to park in Faulted", host: stack);
        var step = (await stack.QueryAsync("SELECT current_step FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).Single();
        Assert.EndsWith($"/ingest-{step}", redelivered);
        // Every try reported its start outside the rolled-back transaction: 2 deliveries x (1 try + 1 retry).
        await WaitAsync(async () => await CountAsync(stack, $"SELECT {step}_attempts FROM bus.ingest_saga WHERE correlation_id = @id", id) >= 4,
            "the saga to count every attempt");

        // The faulted copy is the redelivered one: it came back through the scheduler before faulting.
        var errorQueue = $"ingest-{step}_error";
        var show = await stack.BusctlOkAsync("errors", "show", errorQueue, "--json");
        var message = Assert.Single(JsonDocument.Parse(show.Stdout).RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("1", Header(message, "MT-Redelivery-Count"));

        // S3 is back (and its circuit breaker has closed): the operator replays, the ingest resumes and completes.
        s3.Thaw();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await stack.BusctlOkAsync("errors", "replay", errorQueue, "--all", "--json");
        await WaitAsync(async () => await StateAsync(stack, id) is "Completed" or "Failed", "the replayed ingest to finish", TimeSpan.FromMinutes(3));
        Assert.True(await StateAsync(stack, id) == "Completed", $"host: {stack.Host!.Process.Stdout}");
    }

    private static string? Header(JsonElement message, string name)
    {
        foreach (var group in new[] { "faultHeaders", "hostHeaders", "otherHeaders" })
            if (message.TryGetProperty(group, out var headers))
                foreach (var h in headers.EnumerateObject())
                    if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)) return h.Value.GetString();
        return null;
    }

    private static async Task<long> CountAsync(IngestStack stack, string sql, Guid id, string? vhost = null) =>
        (await stack.QueryAsync(sql, r => Convert.ToInt64(r.GetValue(0)), vhost is null ? [("id", id)] : [("id", id), ("vhost", vhost)])).Single();

    private static async Task<string?> StateAsync(IngestStack stack, Guid id) =>
        (await stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).SingleOrDefault();

    /// <summary>Polls until <paramref name="done"/>; the limit only stops a broken run from hanging.</summary>
    private static async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan? limit = null, IngestStack? host = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(2));
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}; host: {host?.Host?.Process.Stdout[^Math.Min(20000, host.Host.Process.Stdout.Length)..]}");
            await Task.Delay(100);
        }
    }
}
