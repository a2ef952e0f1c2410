using System.Net;
using System.Net.Sockets;

namespace Bus.IntegrationTests.Support;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the kernel handed out for bind(0) and we released could be
    // taken at once by one of the suite's many outgoing connections, or handed to another collection, before our
    // server binds it. Ports here are only ever taken by a listener that asks for them, and never twice by this process.
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly HashSet<int> Given = [];

    /// <summary>A loopback port nothing listens on right now (for servers the tests start, "server stopped" and health URLs).</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var tries = 0; tries < 1000; tries++)
            {
                var port = Random.Shared.Next(First, Last);
                if (Given.Contains(port)) continue;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue;
                }
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
    }
}
