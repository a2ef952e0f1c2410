using System.Net;
using System.Net.Sockets;

namespace Bus.IntegrationTests.Support;

public static class FreePort
{
    /// <summary>A loopback port nothing listens on right now (for "server stopped" and health URLs).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
