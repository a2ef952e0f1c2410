using Bus.Cli.Commands;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bus.Cli.Api;

/// <summary>
/// busctl's client of the HTTP API (docs/api.md): <c>BUS_API_URL</c> (default http://127.0.0.1:8480)
/// and a personal token as the bearer. An error answer is thrown as <see cref="ApiProblemException"/>; a server
/// that cannot be reached as <see cref="ApiUnreachableException"/>.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string UrlVariable = "BUS_API_URL";
    public const string DefaultUrl = "http://127.0.0.1:8480";
    private const string Prefix = "api/v1/";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, string token)
    {
        BaseUrl = baseUrl;
        // No client-wide timeout: an upload of a large tar takes as long as it takes; other calls get RequestTimeout each.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = baseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("busctl", "1"));
    }

    public Uri BaseUrl { get; }

    public static Uri ResolveUrl(Func<string, string?>? environment = null)
    {
        var text = (environment ?? Environment.GetEnvironmentVariable)(UrlVariable);
        if (string.IsNullOrWhiteSpace(text)) text = DefaultUrl;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new CliUsageException($"{UrlVariable} '{text}' is not an http(s) URL (e.g. {DefaultUrl})");
        // A base path must end with '/' for relative paths to go below it.
        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/");
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Prefix + path), RequestTimeout, ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct, TimeSpan? timeout = null) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Prefix + path) { Content = body is null ? null : JsonContent.Create(body) },
            timeout ?? RequestTimeout, ct);

    /// <summary>
    /// POSTs the file as the request body, streamed from disk with its length declared: the tar is never
    /// held in memory, whatever its size.
    /// </summary>
    public async Task<JsonElement> PostFileAsync(string path, FileInfo file, CancellationToken ct)
    {
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var content = new StreamContent(stream, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        content.Headers.ContentLength = stream.Length;
        return await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Prefix + path) { Content = content }, Timeout.InfiniteTimeSpan, ct);
    }

    private async Task<JsonElement> SendAsync(Func<HttpRequestMessage> make, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan) deadline.CancelAfter(timeout);
        using var request = make();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (HttpRequestException e)
        {
            throw new ApiUnreachableException($"cannot reach the Bus API at {BaseUrl}: {e.Message} (is bus-host running with the api role? {UrlVariable} sets the address)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiUnreachableException($"the Bus API at {BaseUrl} did not answer {request.Method} /{request.RequestUri} within {timeout.TotalSeconds:F0} s");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw ApiProblemException.Read(response.StatusCode, body);
            if (body.Length == 0) return default;
            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new ApiUnreachableException($"the server at {BaseUrl} answered {request.Method} /{request.RequestUri} with something that is not JSON ({e.Message}): is {UrlVariable} the Bus API?");
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The API could not be reached or answered nonsense: exit 2.</summary>
public sealed class ApiUnreachableException(string message) : Exception(message);
