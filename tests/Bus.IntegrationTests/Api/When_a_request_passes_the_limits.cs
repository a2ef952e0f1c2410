using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Registry.Model;

namespace Bus.IntegrationTests.Api;

/// <summary>
/// Request limits on the shared API host (MaxUploadBytes 16 MiB, MaxConcurrentUploads 1, parts of
/// 5 MiB, JSON bodies to the default 64 KiB): too large is a 413 problem, declared sizes are refused
/// before the body is read, a chunked body is stopped when it passes the limit and leaves nothing in
/// S3, and an upload beyond the concurrent bound is told to come back.
/// </summary>
[Collection(ApiCollection.Collection)]
public sealed class When_a_request_passes_the_limits(ApiStack api)
{
    private string Depositor => api.Users[(api.Own, Roles.Depositor)].Token;

    /// <summary>A body of <paramref name="length"/> bytes made as it is sent; counts what the client sent, optionally pauses.</summary>
    private sealed class GeneratedContent(long length, bool declareLength, Func<long, Task>? onRead = null) : HttpContent
    {
        public long Sent;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var block = new byte[64 * 1024];
            Random.Shared.NextBytes(block);
            while (Sent < length)
            {
                if (onRead is not null) await onRead(Sent);
                var n = (int)Math.Min(block.Length, length - Sent);
                await stream.WriteAsync(block.AsMemory(0, n));
                Sent += n;
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/" + type, JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
    }

    private async Task AssertNothingStoredAsync(string key)
    {
        var uploads = await api.Stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = api.Stack.Storage.ReceivingBucket, Prefix = key });
        Assert.Empty(uploads.MultipartUploads ?? []);
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(() => api.Stack.S3.GetObjectMetadataAsync(api.Stack.Storage.ReceivingBucket, key));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task An_upload_declaring_more_than_the_maximum_is_refused_before_its_body_is_read()
    {
        var name = $"declared-{Guid.NewGuid():N}.tar";
        var content = new GeneratedContent(ApiStack.MaxUploadBytes + 1, declareLength: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await api.SendAsync(request, Depositor);
        await AssertProblemAsync(response, 413, "upload-too-large");
        Assert.Equal(0, content.Sent);
        await AssertNothingStoredAsync($"{api.Own}/{name}");
    }

    [Fact]
    public async Task A_chunked_upload_is_stopped_when_it_passes_the_maximum_and_leaves_no_parts()
    {
        var name = $"chunked-{Guid.NewGuid():N}.tar";
        // Three 5 MiB parts are sent to S3 before the body passes 16 MiB. A raw connection: the client
        // stops just past the limit and reads the answer (HttpClient would fail writing the rest first).
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.Http.BaseAddress!.Host, api.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/ingests?name={name} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Depositor}\r\n" +
            "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        long sent = 0;
        while (sent <= ApiStack.MaxUploadBytes + chunk.Length)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            await stream.WriteAsync(chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
            sent += chunk.Length;
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("/upload-too-large", answer);
        await AssertNothingStoredAsync($"{api.Own}/{name}");
    }

    /// <summary>
    /// One request on a raw connection with <c>Expect: 100-continue</c>: the body leaves only once
    /// the server has said 100 Continue, so a refusal on the headers alone cannot race the client's
    /// write (HttpClient wrote the body regardless and failed with a broken pipe when the server
    /// closed first). Returns the status line, headers and body of the final answer.
    /// </summary>
    private async Task<(int Status, string Head, string Body, bool BodySent)> SendExpectingAsync(string head, byte[] body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.Http.BaseAddress!.Host, api.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "Expect: 100-continue\r\n\r\n"));
        var buffered = new List<byte>();
        var bodySent = false;
        while (true)
        {
            var (status, headers, content) = await ReadAnswerAsync(stream, buffered);
            if (status != 100) return (status, headers, content, bodySent);
            // One write: the whole body is in the kernel's buffers before the server reads any of it.
            await stream.WriteAsync(body);
            bodySent = true;
        }
    }

    private static async Task<(int Status, string Head, string Body)> ReadAnswerAsync(NetworkStream stream, List<byte> buffered)
    {
        var head = Encoding.ASCII.GetString(await ReadThroughAsync(stream, buffered, "\r\n\r\n"u8.ToArray()));
        var status = int.Parse(head.Split(' ')[1]);
        string? Header(string name) => head.Split("\r\n").Select(l => l.Split(':', 2))
            .Where(l => l.Length == 2 && l[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(l => l[1].Trim()).FirstOrDefault();
        var body = new List<byte>();
        if (Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var size = Convert.ToInt32(Encoding.ASCII.GetString(await ReadThroughAsync(stream, buffered, "\r\n"u8.ToArray())).Split(';')[0].Trim(), 16);
                body.AddRange(await ReadExactlyAsync(stream, buffered, size));
                await ReadExactlyAsync(stream, buffered, 2);
                if (size == 0) break;
            }
        }
        else if (Header("Content-Length") is { } length)
            body.AddRange(await ReadExactlyAsync(stream, buffered, int.Parse(length)));
        return (status, head, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The bytes up to <paramref name="end"/> (which is consumed, not returned).</summary>
    private static async Task<byte[]> ReadThroughAsync(NetworkStream stream, List<byte> buffered, byte[] end)
    {
        int at;
        while ((at = IndexOf(buffered, end)) < 0) await FillAsync(stream, buffered);
        var bytes = buffered.GetRange(0, at).ToArray();
        buffered.RemoveRange(0, at + end.Length);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, List<byte> buffered, int count)
    {
        while (buffered.Count < count) await FillAsync(stream, buffered);
        var bytes = buffered.GetRange(0, count).ToArray();
        buffered.RemoveRange(0, count);
        return bytes;
    }

    private static async Task FillAsync(NetworkStream stream, List<byte> buffered)
    {
        var chunk = new byte[8192];
        var n = await stream.ReadAsync(chunk).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        if (n == 0) throw new IOException($"the connection closed mid-answer after: {Encoding.ASCII.GetString(buffered.ToArray())}");
        buffered.AddRange(chunk.AsSpan(0, n));
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++) match = bytes[i + j] == pattern[j];
            if (match) return i;
        }
        return -1;
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_refused_declared_or_chunked_and_changes_nothing()
    {
        await api.WaitForQuietAsync();
        var before = await api.FingerprintAsync();
        var admin = api.Users[(api.Own, Roles.InstitutionalAdmin)].Token;
        var big = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { identifier = api.Objects[api.Own], reason = new string('x', 70 * 1024) }));
        var head = $"POST /api/v1/deletions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\n";

        // Declared: refused on the Content-Length alone, before a byte of the body is asked for.
        var declared = await SendExpectingAsync(head + $"Content-Length: {big.Length}\r\n", big);
        Assert.True(declared.Status == 413, $"{declared.Status} {declared.Body}");
        Assert.False(declared.BodySent, "the server asked for a body it could refuse on its declared length");
        AssertBodyTooLarge(declared.Head, declared.Body);

        // Chunked: the size shows only while reading, so the server reads past the limit and stops.
        var chunked = new MemoryStream();
        chunked.Write(Encoding.ASCII.GetBytes($"{big.Length:x}\r\n"));
        chunked.Write(big);
        chunked.Write("\r\n0\r\n\r\n"u8);
        var undeclared = await SendExpectingAsync(head + "Transfer-Encoding: chunked\r\n", chunked.ToArray());
        Assert.True(undeclared.Status == 413, $"{undeclared.Status} {undeclared.Body}");
        AssertBodyTooLarge(undeclared.Head, undeclared.Body);

        Assert.Equal(before, await api.FingerprintAsync());
    }

    private static void AssertBodyTooLarge(string head, string body)
    {
        Assert.Contains("application/problem+json", head);
        Assert.EndsWith("/body-too-large", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Upload_names_that_cannot_be_a_bag_are_refused_with_the_reason()
    {
        foreach (var (name, reason) in new[]
                 {
                     ("my%20bag.tar", "must start with a letter or digit"),
                     (new string('a', 300) + ".tar", "over 255 bytes"),
                     ("bag.zip", "'<bag>.tar'"),
                     ("..%2Fbag.tar", "one file name"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = new ByteArrayContent([1, 2, 3]) };
            using var response = await api.SendAsync(request, Depositor);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
            Assert.Contains(reason, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task An_upload_beyond_the_concurrent_bound_is_answered_503_with_retry_after()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Expect: 100-continue: the first byte leaves only once the handler reads, so holding the slot.
        var holding = new GeneratedContent(1024 * 1024, declareLength: true, async sent =>
        {
            if (sent > 0) return;
            started.TrySetResult();
            await release.Task;
            throw new IOException("the test abandons this upload");
        });
        var name = $"holding-{Guid.NewGuid():N}.tar";
        using var first = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name={name}") { Content = holding };
        first.Headers.ExpectContinue = true;
        var firstResponse = api.SendAsync(first, Depositor);
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var second = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name=second-{Guid.NewGuid():N}.tar") { Content = new ByteArrayContent([1]) };
            using var response = await api.SendAsync(second, Depositor);
            await AssertProblemAsync(response, 503, "uploads-busy");
            Assert.NotNull(response.Headers.RetryAfter);
        }
        finally
        {
            release.TrySetResult();
            try { (await firstResponse).Dispose(); } catch (HttpRequestException) { }
        }
        await AssertNothingStoredAsync($"{api.Own}/{name}");
        // The slot came back: the next upload is taken (and refused for its content only later).
        using var after = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/ingests?name=after-{Guid.NewGuid():N}.tar") { Content = new ByteArrayContent([]) };
        using var afterResponse = await api.SendAsync(after, Depositor);
        await AssertProblemAsync(afterResponse, 400, "invalid-request");
    }
}
