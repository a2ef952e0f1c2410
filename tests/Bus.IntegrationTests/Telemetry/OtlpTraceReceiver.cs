using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Telemetry;

/// <summary>One span as an OTLP exporter sent it.</summary>
public sealed record ReceivedSpan(string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A tiny OTLP/HTTP trace receiver (POST /v1/traces, protobuf) for a host process to export to: what a
/// collector would get, read with a few lines of protobuf wire-format decoding (no generated types here).
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Task _loop;

    public OtlpTraceReceiver()
    {
        Endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The collector's base URL (the exporter adds /v1/traces).</summary>
    public Uri Endpoint { get; }
    public IReadOnlyCollection<ReceivedSpan> Spans => _spans.ToArray();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                using var body = new MemoryStream();
                var input = context.Request.Headers["Content-Encoding"] == "gzip"
                    ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                    : context.Request.InputStream;
                await input.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                    foreach (var span in Decode(body.ToArray())) _spans.Enqueue(span);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest: resource_spans(1) → scope_spans(2) { scope(1) { name(1) }, spans(2) }.</summary>
    public static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                var fields = Fields(scopeSpans.Bytes).ToList();
                var scope = fields.Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).FirstOrDefault(x => x.Number == 1).Bytes)).FirstOrDefault() ?? "";
                foreach (var span in fields.Where(f => f.Number == 2)) yield return Span(scope, span.Bytes ?? []);
            }
    }

    /// <summary>Span: trace_id(1), span_id(2), parent_span_id(4), name(5), attributes(9) as KeyValue { key(1), value(2) { string_value(1) } }.</summary>
    private static ReceivedSpan Span(string scope, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new Dictionary<string, string>();
        foreach (var f in Fields(span))
        {
            switch (f.Number)
            {
                case 1: traceId = Hex(f.Bytes); break;
                case 2: spanId = Hex(f.Bytes); break;
                case 4: parent = Hex(f.Bytes); break;
                case 5: name = Text(f.Bytes); break;
                case 9:
                    var kv = Fields(f.Bytes).ToList();
                    var key = Text(kv.FirstOrDefault(x => x.Number == 1).Bytes);
                    var value = kv.FirstOrDefault(x => x.Number == 2).Bytes;
                    var text = value is null ? null : Fields(value).Where(x => x.Number == 1 && x.Bytes is not null).Select(x => Text(x.Bytes)).FirstOrDefault();
                    if (text is not null) attributes[key] = text;
                    break;
            }
        }
        return new ReceivedSpan(scope, traceId, spanId, parent, name, attributes);
    }

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    private static string Text(byte[]? bytes) => bytes is null ? "" : System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>Protobuf wire format: (field number, length-delimited bytes or null for scalars).</summary>
    private static IEnumerable<(int Number, byte[]? Bytes)> Fields(byte[]? message)
    {
        if (message is null) yield break;
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Varint(message, ref i); yield return (number, null); break;
                case 1: i += 8; yield return (number, null); break;
                case 5: i += 4; yield return (number, null); break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    if (length < 0 || i + length > message.Length) throw new FormatException("protobuf length past the end");
                    yield return (number, message[i..(i + length)]);
                    i += length;
                    break;
                default: throw new FormatException($"protobuf wire type {key & 7} not expected");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (i >= message.Length) throw new FormatException("protobuf varint past the end");
            var b = message[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("protobuf varint too long");
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
