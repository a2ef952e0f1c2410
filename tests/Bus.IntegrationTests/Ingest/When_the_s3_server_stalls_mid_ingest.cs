using System.Net.Sockets;
using System.Text.Json;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Ingest;

[Collection(IngestStack.Collection)]
public sealed class When_the_s3_server_stalls_mid_ingest
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [Fact]
    public async Task The_ingest_completes_once_it_answers_again()
    {
        // A moto_server of this test's own (never the shared one): moto keeps objects in memory, so a
        // killed server would lose the bag; SIGSTOP freezes it for 10 s instead (requests time out,
        // as against a server that is down), and SIGCONT brings it back with its objects.
        var port = FreePort.Next();
        await using var moto = ExternalProcess.Start("moto_server", ["-H", "127.0.0.1", "-p", port.ToString()]);
        await WaitForPortAsync(port);
        var url = $"http://127.0.0.1:{port}";
        using (var s3 = Bus.Platform.StorageClientFactory.Create(new Bus.Platform.Options.StorageOptions { ServiceUrl = url }))
            foreach (var (_, bucket) in new Bus.Platform.Options.StorageOptions().Buckets) await s3.PutBucketAsync(bucket);

        await using var stack = await IngestStack.StartAsync(new Dictionary<string, string>
        {
            ["Bus__Storage__ServiceUrl"] = url,
            ["Bus__Storage__TimeoutSeconds"] = "3",
        });
        var bag = new TestBag("stall-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(300);
        var submit = await stack.BusctlOkAsync("ingest", "submit", stack.WriteTar(bag), "--institution", stack.Institution, "--json");
        var id = Guid.Parse(JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("ingestId").GetString()!);

        var started = false;
        for (var i = 0; i < 600 && !started; i++)
        {
            started = (await stack.QueryAsync("SELECT count(*) FROM bus.ingest_files WHERE ingest_id = @id", r => r.GetInt64(0), ("id", id))).Single() > 0;
            if (!started) await Task.Delay(100);
        }
        Assert.True(started, "Unpack never finished");
        Assert.Equal(0, Posix.Kill(moto.Id, SigStop));
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Posix.Kill(moto.Id, SigCont));

        string? state = null;
        for (var i = 0; i < 240 && state is not ("Completed" or "Faulted" or "Failed"); i++)
        {
            state = (await stack.QueryAsync("SELECT current_state FROM bus.ingest_saga WHERE correlation_id = @id", r => r.GetString(0), ("id", id))).Single();
            if (state is not ("Completed" or "Faulted" or "Failed")) await Task.Delay(500);
        }
        Assert.True(state == "Completed", $"state {state}; host: {stack.Host!.Process.Stdout}");
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        throw new TimeoutException($"moto_server did not listen on {port}");
    }
}
