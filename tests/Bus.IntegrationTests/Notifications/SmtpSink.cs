using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bus.IntegrationTests.Notifications;

/// <summary>One mail as the sink received it: envelope and the raw DATA text.</summary>
internal sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data)
{
    public string? Header(string name) =>
        Data.Split("\r\n").TakeWhile(l => l.Length > 0)
            .FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
}

/// <summary>
/// A real SMTP server on 127.0.0.1 (a free port), small enough to live in the test: greeting, EHLO/HELO, MAIL, RCPT,
/// DATA with dot-unstuffing, RSET, NOOP, QUIT. No TLS, no AUTH: the host is configured with Security None.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public ConcurrentQueue<ReceivedMail> Mails { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => SessionAsync(client));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ESMTP");
            string from = "";
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO": await writer.WriteLineAsync("250-sink\r\n250 8BITMIME"); break;
                    case "HELO": await writer.WriteLineAsync("250 sink"); break;
                    case "MAIL": from = Address(line); to.Clear(); await writer.WriteLineAsync("250 OK"); break;
                    case "RCPT": to.Add(Address(line)); await writer.WriteLineAsync("250 OK"); break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } d && d != ".")
                            data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                        Mails.Enqueue(new ReceivedMail(from, [.. to], data.ToString()));
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "RSET": from = ""; to.Clear(); await writer.WriteLineAsync("250 OK"); break;
                    case "NOOP": await writer.WriteLineAsync("250 OK"); break;
                    case "QUIT": await writer.WriteLineAsync("221 bye"); return;
                    default: await writer.WriteLineAsync("502 not implemented"); break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
