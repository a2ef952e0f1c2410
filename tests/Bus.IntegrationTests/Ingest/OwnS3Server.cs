using System.Net.Sockets;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// A moto_server of the test's own (never the shared one) with Bus's buckets, for scenarios that make
/// S3 fail. moto keeps objects in memory, so a killed server would lose the bag; <see cref="Freeze"/>
/// (SIGSTOP) makes requests time out as against a server that is down, and <see cref="Thaw"/> (SIGCONT)
/// brings it back with its objects.
/// </summary>
public sealed class OwnS3Server : IAsyncDisposable
{
    private const int SigStop = 19;
    private const int SigCont = 18;
    private readonly ExternalProcess _moto;

    private OwnS3Server(ExternalProcess moto, string url)
    {
        _moto = moto;
        Url = url;
    }

    public string Url { get; }

    public static async Task<OwnS3Server> StartAsync()
    {
        var port = FreePort.Next();
        var moto = ExternalProcess.Start("moto_server", ["-H", "127.0.0.1", "-p", port.ToString()]);
        await WaitForPortAsync(port);
        var server = new OwnS3Server(moto, $"http://127.0.0.1:{port}");
        using var s3 = Bus.Platform.StorageClientFactory.Create(new Bus.Platform.Options.StorageOptions { ServiceUrl = server.Url });
        foreach (var (_, bucket) in new Bus.Platform.Options.StorageOptions().Buckets) await s3.PutBucketAsync(bucket);
        return server;
    }

    public void Freeze() => Assert.Equal(0, Posix.Kill(_moto.Id, SigStop));

    public void Thaw() => Assert.Equal(0, Posix.Kill(_moto.Id, SigCont));

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

    public async ValueTask DisposeAsync()
    {
        // A frozen process ignores SIGTERM until it runs again.
        Posix.Kill(_moto.Id, SigCont);
        await _moto.DisposeAsync();
    }
}
