using System.Text.Json;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_the_s3_server_stalls_mid_ingest
{
    [Fact]
    public async Task The_ingest_completes_once_it_answers_again()
    {
        // Frozen for 10 s: requests time out, as against a server that is down.
        await using var s3 = await OwnS3Server.StartAsync();
        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Storage__ServiceUrl"] = s3.Url,
            ["Bus__Storage__TimeoutSeconds"] = "3",
        });
        var bag = new TestBag("stall-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(300);
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--json");
        var id = Guid.Parse(JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetString()!);

        var started = false;
        for (var i = 0; i < 600 && !started; i++)
        {
            started = (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id", r => r.GetInt64(0), ("id", id))).Single() > 0;
            if (!started) await Task.Delay(100);
        }
        Assert.True(started, "Unpack never finished");
        s3.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(10));
        s3.Thaw();

        string? state = null;
        for (var i = 0; i < 240 && state is not ("Completed" or "Faulted" or "Failed"); i++)
        {
            state = (await stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).Single();
            if (state is not ("Completed" or "Faulted" or "Failed")) await Task.Delay(500);
        }
        Assert.True(state == "Completed", $"state {state}; host: {stack.Host!.Process.Stdout}");
    }
}
