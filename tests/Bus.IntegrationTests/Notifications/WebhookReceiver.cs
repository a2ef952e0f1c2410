using System.Collections.Concurrent;
using System.Net;

namespace Bus.IntegrationTests.Notifications;

/// <summary>One request as the receiver got it, with the status it answered.</summary>
internal sealed record ReceivedHook(byte[] Body, string? Signature, string? Delivery, string? IdempotencyKey, string? ContentType, int Answered);

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (HttpListener on a free port). It answers each request with the next status of
/// <see cref="Answers"/>, then 200 once they are used up, and keeps every request.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public WebhookReceiver(params int[] answers)
    {
        foreach (var a in answers) Answers.Enqueue(a);
        Url = $"http://127.0.0.1:{Support.FreePort.Next()}/hooks/bus/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }
    public ConcurrentQueue<int> Answers { get; } = new();
    public ConcurrentQueue<ReceivedHook> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var status = Answers.TryDequeue(out var s) ? s : 200;
            Requests.Enqueue(new ReceivedHook(body.ToArray(), context.Request.Headers["X-Bus-Signature"], context.Request.Headers["X-Bus-Delivery"],
                context.Request.Headers["Idempotency-Key"], context.Request.ContentType, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
